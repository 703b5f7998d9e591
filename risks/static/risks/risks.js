// Risk heatmaps (5 x 5, likelihood by impact) and the assessment trend, drawn from json_script data.
// Clicking a heatmap cell opens the register filtered to that cell.
(() => {
  "use strict";
  const COLOURS = ["#2fb344", "#f7c948", "#f76707", "#d63939"];

  function drawHeatmap(element, data, map) {
    const points = [];
    for (let l = 0; l < 5; l++) {
      for (let i = 0; i < 5; i++) points.push([i, l, map.cells[l][i], map.cell_levels[l][i]]);
    }
    const chart = BankPM.chart(element, {
      animation: false,
      grid: {left: 48, right: 8, top: 8, bottom: 40},
      tooltip: {formatter: (p) => `${data.label_likelihood} ${p.value[1] + 1} × ${data.label_impact} ${p.value[0] + 1}: ${p.value[2]}`},
      xAxis: {type: "category", data: ["1", "2", "3", "4", "5"], name: data.label_impact, nameLocation: "middle",
              nameGap: 24, splitArea: {show: true}},
      yAxis: {type: "category", data: ["1", "2", "3", "4", "5"], name: data.label_likelihood, nameLocation: "middle",
              nameGap: 28, splitArea: {show: true}},
      visualMap: {show: false, type: "piecewise", dimension: 3, pieces: COLOURS.map((color, n) => ({value: n, color}))},
      series: [{type: "heatmap", data: points, itemStyle: {borderColor: "#fff", borderWidth: 2, opacity: 0.85},
                label: {show: true, fontWeight: "bold", formatter: (p) => p.value[2] || ""}}],
    });
    chart.on("click", (p) => { window.location.href = map.links[p.value[1]][p.value[0]]; });
  }

  function drawTrend(element, trend) {
    BankPM.chart(element, {
      animation: false, tooltip: {trigger: "axis"}, legend: {bottom: 0},
      grid: {left: 32, right: 12, top: 12, bottom: 48},
      xAxis: {type: "category", data: trend.labels}, yAxis: {type: "value", min: 0, max: 25},
      series: [{name: trend.names[0], type: "line", step: "end", data: trend.inherent},
               {name: trend.names[1], type: "line", step: "end", data: trend.residual}],
    });
  }

  document.querySelectorAll("[data-risk-heatmaps]").forEach((box) => {
    const data = BankPM.data(box.getAttribute("data-risk-heatmaps"));
    if (!data) return;
    data.maps.forEach((map) => {
      const element = box.querySelector(`[data-basis='${map.basis}'] .risk-heatmap-chart`);
      if (element) drawHeatmap(element, data, map);
    });
  });
  const trendElement = document.getElementById("risk-trend");
  const trend = BankPM.data("risk-trend-data");
  if (trendElement && trend && trend.labels.length) drawTrend(trendElement, trend);
})();
