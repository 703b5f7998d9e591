// Burn-down of an exit plan: remaining customers per segment over the reported days, the ideal line from all
// customers at the notice date to none at the close date. Data comes from a json_script element (no inline JS).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("exit-burndown");
    var source = document.getElementById("exit-burndown-data");
    if (!holder || !source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var dates = data.dates.slice();
    if (data.close_date && dates.indexOf(data.close_date) < 0) { dates.push(data.close_date); dates.sort(); }
    function at(values) {
      return dates.map(function (day) {
        var i = data.dates.indexOf(day);
        return i < 0 ? null : values[i];
      });
    }
    var series = data.series.map(function (s) {
      return { name: s.name, type: "line", stack: "remaining", areaStyle: { opacity: 0.25 }, connectNulls: true,
               data: at(s.values) };
    });
    if (data.notice_date && data.close_date) {
      series.push({ name: holder.dataset.idealLabel || "—", type: "line", symbol: "none",
                    lineStyle: { type: "dashed", color: "#999" }, connectNulls: true,
                    data: dates.map(function (day) {
                      if (day === data.notice_date) { return data.total; }
                      if (day === data.close_date) { return 0; }
                      return null;
                    }) });
    }
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 48, right: 16, top: 32, bottom: 24 },
      xAxis: { type: "category", data: dates }, yAxis: { type: "value", min: 0 },
      series: series.length ? series : [{ type: "line", data: [] }],
      markLine: undefined
    });
    if (data.close_date && series.length) {
      chart.setOption({ series: [{ markLine: { symbol: "none", data: [{ xAxis: data.close_date }],
                                               label: { formatter: holder.dataset.closeLabel || "" } } }] });
    }
    holder.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
}());
