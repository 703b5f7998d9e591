// The change page's pilot chart: one small chart per criterion, each on its own axis, so a score of 85 and a count of
// 2,000 are never drawn against one scale.
(() => {
  "use strict";
  BankPM.drawChart("pilot-chart", "pilot-chart-data", (rows, chartEl) => {
    const rowHeight = 64;
    chartEl.style.height = `${Math.max(120, rows.length * rowHeight + 20)}px`;
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
    return { animation: false, tooltip: { trigger: "item" }, grid, xAxis, yAxis, series };
  });
})();
