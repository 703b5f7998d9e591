// Risk heatmaps (5 x 5, likelihood by impact) and the assessment trend, drawn from json_script data.
// Clicking a heatmap cell opens the register filtered to that cell.
(function () {
  "use strict";
  var COLOURS = ["#2fb344", "#f7c948", "#f76707", "#d63939"];

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function drawHeatmap(el, data, map) {
    var chart = echarts.init(el);
    var points = [];
    for (var l = 0; l < 5; l++) {
      for (var i = 0; i < 5; i++) {
        points.push([i, l, map.cells[l][i], map.cell_levels[l][i]]);
      }
    }
    chart.setOption({
      animation: false,
      grid: {left: 48, right: 8, top: 8, bottom: 40},
      tooltip: {formatter: function (p) {
        return data.label_likelihood + " " + (p.value[1] + 1) + " × " + data.label_impact + " " + (p.value[0] + 1) +
          ": " + p.value[2];
      }},
      xAxis: {type: "category", data: ["1", "2", "3", "4", "5"], name: data.label_impact, nameLocation: "middle",
              nameGap: 24, splitArea: {show: true}},
      yAxis: {type: "category", data: ["1", "2", "3", "4", "5"], name: data.label_likelihood, nameLocation: "middle",
              nameGap: 28, splitArea: {show: true}},
      visualMap: {show: false, type: "piecewise", dimension: 3,
                  pieces: COLOURS.map(function (c, n) { return {value: n, color: c}; })},
      series: [{type: "heatmap", data: points, itemStyle: {borderColor: "#fff", borderWidth: 2, opacity: 0.85},
                label: {show: true, fontWeight: "bold", formatter: function (p) { return p.value[2] || ""; }}}]
    });
    chart.on("click", function (p) {
      window.location.href = map.links[p.value[1]][p.value[0]];
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawTrend(el, trend) {
    var chart = echarts.init(el);
    chart.setOption({
      animation: false, tooltip: {trigger: "axis"}, legend: {bottom: 0},
      grid: {left: 32, right: 12, top: 12, bottom: 48},
      xAxis: {type: "category", data: trend.labels}, yAxis: {type: "value", min: 0, max: 25},
      series: [{name: trend.names[0], type: "line", step: "end", data: trend.inherent},
               {name: trend.names[1], type: "line", step: "end", data: trend.residual}]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-risk-heatmaps]").forEach(function (box) {
      var data = readJson(box.getAttribute("data-risk-heatmaps"));
      if (!data) { return; }
      data.maps.forEach(function (map) {
        var el = box.querySelector("[data-basis='" + map.basis + "'] .risk-heatmap-chart");
        if (el) { drawHeatmap(el, data, map); }
      });
    });
    var trendEl = document.getElementById("risk-trend");
    var trend = readJson("risk-trend-data");
    if (trendEl && trend && trend.labels.length) { drawTrend(trendEl, trend); }
  });
})();
