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
    // The legend names the slices; labels inside the ring keep clear of it (they collided on narrow screens).
    legend: {bottom: 0, type: "scroll"},
    series: [{type: "pie", radius: ["38%", "64%"], center: ["50%", "42%"], data: data.categories,
              label: {position: "inside", formatter: "{c}", fontWeight: "bold"}, labelLine: {show: false}}],
  });
  window.addEventListener("resize", () => { funnel.resize(); pie.resize(); });
})();
