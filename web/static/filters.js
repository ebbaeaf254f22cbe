// The search page's filters come before the results; on a narrow screen they are folded
// (one line, "Bộ lọc") so the results follow at once. Without JavaScript they stay open.
"use strict";
(function () {
  const filters = document.getElementById("bo-loc");
  if (filters && window.matchMedia("(max-width: 48rem)").matches) filters.open = false;
})();
