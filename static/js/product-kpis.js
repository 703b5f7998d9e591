// The product KPI page: one ECharts line per metric, with its target dashed. Only the charts on screen are drawn at
// first; the others as they scroll into view (IntersectionObserver), so that the first screen does not wait on all
// fifteen. The mark "kpi-first-screen" tells when the first screen is drawn (the browser test reads it).
(() => {
  "use strict";
  const charts = BankPM.data("product-charts");
  const labels = BankPM.data("chart-labels");
  if (!charts || !labels) return;
  const targetLabel = labels.target, valueLabel = labels.value;
  const byId = new Map(charts.map((c) => [c.id, c]));

  function draw(element) {
    const c = byId.get(element.id);
    if (!c || element.dataset.drawn) return;
    const series = [{name: valueLabel, type: "line", smooth: true, showSymbol: false, data: c.values}];
    if (c.targets.some((t) => t !== null)) {
      series.push({name: targetLabel, type: "line", showSymbol: false, connectNulls: false,
                   lineStyle: {type: "dashed"}, data: c.targets});
    }
    BankPM.chart(element, {
      animation: false,
      grid: {left: 50, right: 12, top: 28, bottom: 24}, tooltip: {trigger: "axis"},
      legend: {top: 0, right: 0, textStyle: {fontSize: 11}},
      xAxis: {type: "category", data: c.periods, axisLabel: {fontSize: 10}},
      // A baseline chosen by the server (kpis/charts.py): zero, or the metric's natural lower bound.
      yAxis: {type: "value", scale: c.axis_min === null, min: c.axis_min, axisLabel: {fontSize: 10}},
      series: series,
    });
  }

  const elements = Array.from(document.querySelectorAll(".kpi-chart"));
  const markFirstScreen = () => { if (!performance.getEntriesByName("kpi-first-screen").length) performance.mark("kpi-first-screen"); };
  if (!("IntersectionObserver" in window)) {
    elements.forEach(draw);
    markFirstScreen();
  } else {
    const observer = new IntersectionObserver((entries) => {
      entries.forEach((entry) => {
        if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
      });
      markFirstScreen();  // the first callback reports every chart: those on screen are drawn now
    }, {rootMargin: "200px 0px"});
    elements.forEach((element) => observer.observe(element));
  }
})();
