// Multi-value selects (filters, channels) become compact tag pickers; the underlying <select> still submits.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[multiple]:not(.no-tom)").forEach((el) => {
    new TomSelect(el, { plugins: ["remove_button"], maxOptions: null, hidePlaceholder: true });
  });
});

// The language switcher applies a choice made with the mouse at once; with the keyboard, arrows only move the
// choice and Enter applies it (one arrow key must not reload the page).
document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector("#language-switcher select");
  if (!select) return;
  let byKeyboard = false;
  select.addEventListener("keydown", (event) => {
    byKeyboard = event.key !== "Enter";
    if (event.key === "Enter") { event.preventDefault(); select.form.submit(); }
  });
  select.addEventListener("mousedown", () => { byKeyboard = false; });
  select.addEventListener("change", () => { if (!byKeyboard) select.form.submit(); });
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
