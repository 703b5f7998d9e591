// The complaints register's Pareto: root causes as bars (most frequent first), the cumulative share as a line.
(() => {
  "use strict";
  BankPM.drawChart("pareto-chart", "pareto-data", (data) => ({
    grid: {left: 40, right: 40, top: 30, bottom: 50}, tooltip: {trigger: "axis"},
    legend: {top: 0, right: 0, textStyle: {fontSize: 11}},
    xAxis: {type: "category", data: data.labels, axisLabel: {fontSize: 10, interval: 0, rotate: 20}},
    yAxis: [{type: "value", min: 0, minInterval: 1}, {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}}],
    series: [{name: data.names.count, type: "bar", data: data.counts, itemStyle: {color: "#206bc4"}},
             {name: data.names.cumulative, type: "line", yAxisIndex: 1, data: data.cumulative, symbolSize: 6}],
  }));
})();
