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

  // The pilot chart: one small chart per criterion, each on its own axis, so a score of 85 and a count of 2,000
  // are never drawn against one scale.
  const chartEl = document.getElementById("pilot-chart");
  const data = document.getElementById("pilot-chart-data");
  if (chartEl && data && window.echarts) {
    const rows = JSON.parse(data.textContent);
    const rowHeight = 64;
    chartEl.style.height = `${Math.max(120, rows.length * rowHeight + 20)}px`;
    const chart = echarts.init(chartEl);
    const fmt = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 2 });
    const grid = [], xAxis = [], yAxis = [], series = [];
    rows.forEach((r, i) => {
      const top = 10 + i * rowHeight;
      grid.push({ left: 200, right: 40, top, height: rowHeight - 34 });
      xAxis.push({ gridIndex: i, type: "value", min: 0, splitNumber: 4,
                   axisLabel: { formatter: (v) => `${fmt.format(v)}${r.unit ? " " + r.unit : ""}`, fontSize: 10 } });
      yAxis.push({ gridIndex: i, type: "category", data: [`${r.metric} ${r.op} ${fmt.format(r.value)}`],
                   axisLabel: { width: 190, overflow: "break" } });
      series.push({
        name: chartEl.dataset.actualLabel, type: "bar", xAxisIndex: i, yAxisIndex: i, barWidth: 14,
        data: [{ value: r.actual, itemStyle: { color: r.met === null ? "#adb5bd" : r.met ? "#2fb344" : "#d63939" } }],
        label: { show: r.actual !== null, position: "right", formatter: () => fmt.format(r.actual) },
      });
      series.push({
        name: chartEl.dataset.thresholdLabel, type: "scatter", xAxisIndex: i, yAxisIndex: i, symbol: "rect",
        symbolSize: [4, 24], itemStyle: { color: "#1d273b" }, data: [r.value],
      });
    });
    chart.setOption({ animation: false, tooltip: { trigger: "item" }, grid, xAxis, yAxis, series });
    window.addEventListener("resize", () => chart.resize());
  }
});
