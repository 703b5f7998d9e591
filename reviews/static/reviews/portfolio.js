// The periodic reviews' outcomes per month (stacked bars), from the page's JSON.
(function () {
  const element = document.getElementById("outcome-chart");
  if (!element) return;
  const data = JSON.parse(document.getElementById("outcome-data").textContent);
  const colours = {keep: "#2fb344", remediate: "#f59f00", change: "#206bc4", exit: "#d63939"};
  const chart = echarts.init(element);
  chart.setOption({
    grid: {left: 30, right: 10, top: 30, bottom: 40}, tooltip: {trigger: "axis"},
    legend: {top: 0, textStyle: {fontSize: 11}},
    xAxis: {type: "category", data: data.months, axisLabel: {fontSize: 10}},
    yAxis: {type: "value", min: 0, minInterval: 1},
    series: data.series.map((s) => ({name: s.name, type: "bar", stack: "outcomes", data: s.data,
                                     itemStyle: {color: colours[s.code]}})),
  });
  window.addEventListener("resize", () => chart.resize());
})();
