// Term changes: the live red/green diff on the proposal form, and the pilot form's metric details (no inline
// script: the page's data comes through json_script). The pilot chart: pilot-chart.js.
(() => {
  "use strict";
  const preview = document.getElementById("diff-preview");
  if (preview) {
    const form = document.getElementById("change-form");
    const valueOf = (name) => {
      const inputs = form.querySelectorAll(`[name="${name}"]`);
      if (inputs.length && inputs[0].type === "checkbox") {
        return Array.from(inputs).filter((i) => i.checked).map((i) => i.value).sort().join("\n");
      }
      return inputs.length ? inputs[0].value.trim() : "";
    };
    const render = () => {
      const seen = new Set();
      const body = preview.querySelector("tbody");
      body.replaceChildren();
      form.querySelectorAll("[data-term]").forEach((el) => {
        const name = el.dataset.term;
        if (seen.has(name)) return;
        seen.add(name);
        const current = valueOf(name);
        const norm = (v) => v.split("\n").map((line) => line.trim()).filter(Boolean).join("\n");
        if (norm(current) === norm(el.dataset.base || "")) return;
        const label = form.querySelector(`label[for="${el.id}"]`) || el.closest(".mb-3")?.querySelector(".form-label");
        const row = document.createElement("tr");
        row.dataset.field = name;
        const cells = [label ? label.textContent.trim() : name, el.dataset.base || "—", current || "—"];
        cells.forEach((text, i) => {
          const td = document.createElement("td");
          const mark = document.createElement(i === 1 ? "del" : i === 2 ? "ins" : "span");
          mark.textContent = text;
          td.className = i === 1 ? "diff-old" : i === 2 ? "diff-new" : "";
          td.appendChild(mark);
          row.appendChild(td);
        });
        body.appendChild(row);
      });
      if (!body.children.length) {
        const row = document.createElement("tr");
        const td = document.createElement("td");
        td.colSpan = 3;
        td.className = "text-secondary";
        td.textContent = preview.dataset.empty;
        row.appendChild(td);
        body.appendChild(row);
      }
    };
    form.addEventListener("input", render);
    form.addEventListener("change", render);
    render();
  }

  // The pilot form: each criterion row says the chosen metric's unit and how its actual is aggregated.
  const infoData = document.getElementById("pilot-metric-info");
  if (infoData) {
    const info = JSON.parse(infoData.textContent);
    document.querySelectorAll("#pilot-criteria-form .criterion-row").forEach((row) => {
      const select = row.querySelector("select[name^=metric_]");
      const cell = row.querySelector(".criterion-info");
      const show = () => {
        const i = info[select.value];
        cell.textContent = i ? `${i.unit || "—"} · ${i.aggregation}` : "";
      };
      select.addEventListener("change", show);
    });
  }
})();
