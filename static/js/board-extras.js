// Requirement board extras (no inline script): the last product chosen is remembered in this browser, and a card
// moves with the keyboard — focus its title, then ArrowRight / ArrowLeft move it to the next / previous column.
(() => {
  "use strict";
  const KEY = "bankpm.board.product";
  const picker = document.querySelector("#board-product select[name=product]");
  if (picker) {
    const params = new URLSearchParams(window.location.search);
    if (params.has("product")) {
      if (picker.value) localStorage.setItem(KEY, picker.value);
    } else {
      const remembered = localStorage.getItem(KEY);
      if (remembered && picker.querySelector(`option[value="${CSS.escape(remembered)}"]`)) {
        params.set("product", remembered);
        window.location.replace(`${window.location.pathname}?${params}`);
        return;
      }
    }
    // The picker submits itself (data-autosubmit, bankpm.js); here it is only remembered.
    picker.addEventListener("change", () => {
      if (picker.value) localStorage.setItem(KEY, picker.value); else localStorage.removeItem(KEY);
    });
  }

  const board = document.getElementById("board");
  if (!board || board.dataset.canEdit !== "1") return;
  const alertBox = document.getElementById("board-alert");
  const columns = () => Array.from(board.querySelectorAll(".board-cards"));
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  function recount() {
    board.querySelectorAll(".board-column").forEach((col) => {
      col.querySelector(".column-count").textContent = col.querySelectorAll(".board-card").length;
    });
  }
  function say(message, isError) {
    alertBox.textContent = message;
    alertBox.classList.toggle("d-none", !message);
    alertBox.classList.toggle("alert-danger", isError);
    alertBox.classList.toggle("alert-success", !isError);
  }
  board.addEventListener("keydown", async (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const card = event.target.closest(".board-card");
    if (!card) return;
    event.preventDefault();
    const all = columns();
    const index = all.indexOf(card.parentElement) + (event.key === "ArrowRight" ? 1 : -1);
    if (index < 0 || index >= all.length) return;
    const target = all[index];
    let reason = "";
    if (board.dataset["ask_" + target.dataset.status]) {
      reason = window.prompt(board.dataset["ask_" + target.dataset.status]) || "";
      if (!reason.trim()) return;
    }
    const response = await fetch(`${board.dataset.detailPrefix}${card.dataset.id}/transition/`, {
      method: "POST", body: new URLSearchParams({status: target.dataset.status, reason: reason}),
      headers: {"X-CSRFToken": csrf, "Accept": "application/json"},
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { say(BankPM.errorText(data), true); return; }
    target.prepend(card);
    recount();
    say(`${card.querySelector("a").textContent.trim()} → ${target.closest(".board-column").querySelector(".card-title").textContent}`, false);
    card.querySelector("a").focus();
  });
})();
