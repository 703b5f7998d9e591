// The backlog list: select all rows, and show the value input of the chosen bulk action.
(() => {
  "use strict";
  const all = document.getElementById("select-all");
  if (all) all.addEventListener("change", () => document.querySelectorAll(".row-check").forEach(c => c.checked = all.checked));
  const action = document.getElementById("bulk-action");
  function sync() {
    document.querySelectorAll("[data-for]").forEach(el => el.classList.toggle("d-none", el.dataset.for !== action.value));
  }
  if (action) { action.addEventListener("change", sync); sync(); }
})();
