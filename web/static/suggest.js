// Suggestions under the search box (document numbers, issuers, signers). The form works
// the same without them: Enter always submits what was typed unless a suggestion is chosen.
"use strict";
(function () {
  const input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) return;
  const kinds = { number: "Số ký hiệu", issuer: "Cơ quan", signer: "Người ký" };
  const list = document.createElement("ul");
  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Gợi ý");
  list.hidden = true;
  input.parentNode.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  let active = -1, timer = null, asked = "";

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    const items = list.querySelectorAll("[role=option]");
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
  }

  function render(suggestions) {
    close();
    if (!suggestions.length) return;
    suggestions.forEach(function (s, i) {
      const item = document.createElement("li");
      item.id = "q-suggestion-" + i;
      item.setAttribute("role", "option");
      const link = document.createElement("a");
      link.href = s.url;
      link.tabIndex = -1;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = kinds[s.kind] || s.kind;
      link.append(kind, " " + s.label + (s.count ? " (" + s.count + ")" : ""));
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function ask() {
    const typed = input.value.trim();
    if (typed.length < 2) { close(); return; }
    if (typed === asked) return;
    asked = typed;
    fetch(input.dataset.suggest + "?q=" + encodeURIComponent(typed), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (answer) { if (input.value.trim() === typed) render(answer.suggestions || []); })
      .catch(close);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    asked = "";
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    const items = list.querySelectorAll("[role=option]");
    if (list.hidden || !items.length) return;
    if (event.key === "ArrowDown") { event.preventDefault(); choose((active + 1) % items.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); choose((active - 1 + items.length) % items.length); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items[active].querySelector("a").href;
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 200); });
})();
