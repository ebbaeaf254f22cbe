// The review desk: a reading offered beside a field fills its input (a click, or Enter or
// Space on the button), and the cursor goes back to the input, so Enter then saves.
"use strict";
(function () {
  for (const button of document.querySelectorAll("button.candidate")) {
    button.addEventListener("click", function () {
      const input = document.getElementById(button.dataset.for);
      if (!input) return;
      input.value = button.dataset.value;
      input.focus();
    });
  }
})();
