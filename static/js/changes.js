// Term changes: the live red/green diff on the proposal form, and the pilot criteria chart (no inline script:
// the page's data comes through json_script).
document.addEventListener("DOMContentLoaded", () => {
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

  const chartEl = document.getElementById("pilot-chart");
  const data = document.getElementById("pilot-chart-data");
  if (chartEl && data && window.echarts) {
    const rows = JSON.parse(data.textContent);
    chartEl.style.height = `${Math.max(120, rows.length * 60 + 40)}px`;
    const chart = echarts.init(chartEl);
    chart.setOption({
      animation: false,
      grid: { left: 110, right: 30, top: 20, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map((r) => `${r.metric} ${r.op} ${r.value}`) },
      series: [
        {
          name: chartEl.dataset.actualLabel, type: "bar",
          data: rows.map((r) => ({
            value: r.actual, itemStyle: { color: r.met === null ? "#adb5bd" : r.met ? "#2fb344" : "#d63939" },
          })),
        },
        {
          name: chartEl.dataset.thresholdLabel, type: "scatter", symbol: "rect", symbolSize: [4, 28],
          itemStyle: { color: "#1d273b" }, data: rows.map((r) => r.value),
        },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }
});
