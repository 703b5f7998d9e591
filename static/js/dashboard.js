// The portfolio dashboard: stage funnel and category pie.
(function () {
  const data = JSON.parse(document.getElementById("dashboard-charts").textContent);
  const funnel = echarts.init(document.getElementById("chart-stages"));
  funnel.setOption({
    tooltip: {trigger: "item", formatter: "{b}: {c}"},
    series: [{type: "funnel", sort: "none", left: "10%", width: "80%", gap: 2, minSize: "20%",
              label: {show: true, position: "inside", formatter: "{b} {c}"}, data: data.stages}],
  });
  const pie = echarts.init(document.getElementById("chart-categories"));
  pie.setOption({
    tooltip: {trigger: "item", formatter: "{b}: {c} ({d}%)"},
    legend: {bottom: 0},
    series: [{type: "pie", radius: ["40%", "70%"], center: ["50%", "45%"], data: data.categories,
              label: {formatter: "{b}\n{c}"}}],
  });
  window.addEventListener("resize", () => { funnel.resize(); pie.resize(); });
})();
