// The product KPI page: one ECharts line per metric, with its target dashed.
(function () {
  const charts = JSON.parse(document.getElementById("product-charts").textContent);
  const labels = JSON.parse(document.getElementById("chart-labels").textContent);
  const targetLabel = labels.target, valueLabel = labels.value;
  const instances = charts.map((c) => {
    const chart = echarts.init(document.getElementById(c.id));
    const series = [{name: valueLabel, type: "line", smooth: true, showSymbol: false, data: c.values}];
    if (c.targets.some((t) => t !== null)) {
      series.push({name: targetLabel, type: "line", showSymbol: false, connectNulls: false,
                   lineStyle: {type: "dashed"}, data: c.targets});
    }
    chart.setOption({
      grid: {left: 50, right: 12, top: 28, bottom: 24}, tooltip: {trigger: "axis"},
      legend: {top: 0, right: 0, textStyle: {fontSize: 11}},
      xAxis: {type: "category", data: c.periods, axisLabel: {fontSize: 10}},
      // A baseline chosen by the server (kpis/charts.py): zero, or the metric's natural lower bound.
      yAxis: {type: "value", scale: c.axis_min === null, min: c.axis_min, axisLabel: {fontSize: 10}},
      series: series,
    });
    return chart;
  });
  window.addEventListener("resize", () => instances.forEach((c) => c.resize()));
})();
