// Every page's script: tag pickers, select autosubmit, focus after htmx swaps, global search, confirmations, and the
// text of a refusal that a page endpoint answers in the API's error shape. Like every script here: a classic script,
// loaded deferred, one closure; what other scripts use hangs on window.BankPM.
(() => {
  "use strict";
  const BankPM = (window.BankPM = window.BankPM || {});

  // A refusal's text from the API's error body: {"detail"} (403, 409) or messages keyed by field (400).
  BankPM.errorText = (body) => {
    if (!body || typeof body !== "object") return "";
    if (body.detail) return String(body.detail);
    return Object.values(body).flat(Infinity).filter((m) => typeof m === "string").join(" ");
  };

  // Multi-value selects (filters, channels) become compact tag pickers; the underlying <select> still submits.
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("select[multiple]:not(.no-tom)").forEach((el) => {
      new TomSelect(el, { plugins: ["remove_button"], maxOptions: null, hidePlaceholder: true });
    });
  });

  // <select data-autosubmit> submits its form on change (no inline handlers: the CSP allows no inline script).
  // A choice made with the mouse applies at once; with the keyboard, arrows only move the choice and Enter applies
  // it (one arrow key on the language selector must not switch language and reload the page).
  const bankpmKeyboardChoice = new WeakSet();
  document.addEventListener("keydown", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.matches("select[data-autosubmit]")) return;
    if (event.key === "Enter") { event.preventDefault(); bankpmKeyboardChoice.delete(select); select.form.submit(); }
    else if (event.key !== "Tab") bankpmKeyboardChoice.add(select);
  });
  document.addEventListener("mousedown", (event) => {
    const select = event.target instanceof Element ? event.target.closest("select[data-autosubmit]") : null;
    if (select) bankpmKeyboardChoice.delete(select);
  });
  document.addEventListener("change", (event) => {
    if (!event.target.matches("select[data-autosubmit]")) return;
    if (bankpmKeyboardChoice.has(event.target)) return;
    event.target.form.submit();
  });

  // After htmx replaces the piece of the page that held the focus, focus goes to the new piece instead of falling
  // back to the page body (which would cost a keyboard user a dozen Tabs).
  let bankpmFocusTarget = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    const active = document.activeElement;
    if (target && target.id && active && active !== document.body && target.contains(active)) {
      bankpmFocusTarget = target.id;
    }
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!bankpmFocusTarget) return;
    const target = document.getElementById(bankpmFocusTarget);
    bankpmFocusTarget = null;
    const active = document.activeElement;
    if (!target || (active && active !== document.body && document.contains(active))) return;
    const candidates = target.querySelectorAll("button:not([disabled]), a[href], input:not([type=hidden]), select, textarea, summary");
    const visible = Array.from(candidates).find((el) => el.getClientRects().length > 0 && !el.closest("details:not([open]) > :not(summary)"));
    if (visible) { visible.focus(); return; }
    target.setAttribute("tabindex", "-1");
    target.focus();
  });

  // Global search: results appear under the box as one types; arrows move through them, Enter opens, Escape closes.
  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("global-search");
    if (!form) return;
    const input = form.querySelector("input[name=q]");
    const box = document.getElementById("search-results");
    let active = -1;
    const options = () => Array.from(box.querySelectorAll("[role=option]"));
    const show = (open) => { box.classList.toggle("show", open); input.setAttribute("aria-expanded", String(open)); };
    const mark = (index) => {
      const items = options();
      items.forEach((el, i) => { el.classList.toggle("active", i === index); el.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (items[index]) { input.setAttribute("aria-activedescendant", items[index].id); items[index].scrollIntoView({block: "nearest"}); }
      else input.removeAttribute("aria-activedescendant");
    };
    box.addEventListener("htmx:afterSwap", () => { active = -1; show(input.value.trim() !== ""); });
    input.addEventListener("keydown", (event) => {
      const items = options();
      if (event.key === "ArrowDown" && items.length) { event.preventDefault(); show(true); mark((active + 1) % items.length); }
      else if (event.key === "ArrowUp" && items.length) { event.preventDefault(); mark((active - 1 + items.length) % items.length); }
      else if (event.key === "Enter" && active >= 0 && items[active]) {
        event.preventDefault();
        window.location.href = items[active].href;
      } else if (event.key === "Escape") { show(false); mark(-1); }
    });
    document.addEventListener("click", (event) => { if (!form.contains(event.target)) show(false); });
  });

  // A button (or form) with data-confirm asks first, in a dialog: approving, rejecting, closing a risk, deciding a
  // waiver. The submit is held back (before htmx sees it) and sent again, with the same button, once confirmed.
  const bankpmConfirmLabels = {
    zh: {ok: "确认", cancel: "取消", title: "请确认"},
    en: {ok: "Confirm", cancel: "Cancel", title: "Please confirm"},
  };
  function bankpmConfirm(message, danger) {
    const labels = bankpmConfirmLabels[(document.documentElement.lang || "zh").slice(0, 2)] || bankpmConfirmLabels.zh;
    return new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.className = "bankpm-confirm";
      dialog.id = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-title");
      dialog.setAttribute("aria-describedby", "confirm-message");
      const form = document.createElement("form");
      form.method = "dialog";
      form.className = "card";
      form.innerHTML = '<div class="card-body"><h3 class="card-title" id="confirm-title"></h3>' +
        '<p class="mb-0" id="confirm-message"></p></div><div class="card-footer d-flex justify-content-end gap-2">' +
        '<button class="btn btn-outline-secondary" value="cancel" id="confirm-cancel"></button>' +
        '<button class="btn" value="ok" id="confirm-ok"></button></div>';
      form.querySelector("#confirm-title").textContent = labels.title;
      form.querySelector("#confirm-message").textContent = message;
      form.querySelector("#confirm-cancel").textContent = labels.cancel;
      const ok = form.querySelector("#confirm-ok");
      ok.textContent = labels.ok;
      ok.classList.add(danger ? "btn-danger" : "btn-primary");
      dialog.append(form);
      dialog.addEventListener("close", () => { resolve(dialog.returnValue === "ok"); dialog.remove(); });
      document.body.append(dialog);
      dialog.showModal();
      ok.focus();
    });
  }
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const submitter = event.submitter;
    const message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (!message) return;
    if (form.dataset.confirmed === "1") { delete form.dataset.confirmed; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    const danger = !!submitter && /danger/.test(submitter.className);
    bankpmConfirm(message, danger).then((confirmed) => {
      if (!confirmed) { if (submitter) submitter.focus(); return; }
      form.dataset.confirmed = "1";
      form.requestSubmit(submitter || undefined);
    });
  }, true);
})();
