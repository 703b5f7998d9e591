// The portfolio dashboard: stage funnel and category pie.
(() => {
  "use strict";
  const data = BankPM.data("dashboard-charts");
  if (!data) return;
  BankPM.chart(document.getElementById("chart-stages"), {
    tooltip: {trigger: "item", formatter: "{b}: {c}"},
    series: [{type: "funnel", sort: "none", left: "10%", width: "80%", gap: 2, minSize: "20%",
              label: {show: true, position: "inside", formatter: "{b} {c}"}, data: data.stages}],
  });
  BankPM.chart(document.getElementById("chart-categories"), {
    tooltip: {trigger: "item", formatter: "{b}: {c} ({d}%)"},
    // The legend names the slices; labels inside the ring keep clear of it (they collided on narrow screens).
    legend: {bottom: 0, type: "scroll"},
    series: [{type: "pie", radius: ["38%", "64%"], center: ["50%", "42%"], data: data.categories,
              label: {position: "inside", formatter: "{c}", fontWeight: "bold"}, labelLine: {show: false}}],
  });
})();
