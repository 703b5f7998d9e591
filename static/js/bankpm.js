// Multi-value selects (filters, channels) become compact tag pickers; the underlying <select> still submits.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[multiple]:not(.no-tom)").forEach((el) => {
    new TomSelect(el, { plugins: ["remove_button"], maxOptions: null, hidePlaceholder: true });
  });
});

// <select data-autosubmit> submits its form on change (no inline handlers: the CSP allows no inline script).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});
