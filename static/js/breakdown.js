// The breakdown card: one metric's latest month by segment, channel or region, as horizontal bars.
(() => {
  "use strict";
  BankPM.drawChart("breakdown-chart", "breakdown-data", (data) => ({
    title: {text: data.metric + (data.unit ? ` (${data.unit})` : ""), textStyle: {fontSize: 12}},
    grid: {left: 90, right: 20, top: 30, bottom: 20}, tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    xAxis: {type: "value", min: 0, axisLabel: {fontSize: 10}},
    yAxis: {type: "category", data: data.members, inverse: true, axisLabel: {fontSize: 11}},
    series: [{type: "bar", data: data.values, itemStyle: {color: "#206bc4"}, label: {show: true, position: "right", fontSize: 10}}],
  }));
})();
