// Burn-down of an exit plan: remaining customers per segment over the reported days, the ideal line from all
// customers at the notice date to none at the close date. Data comes from a json_script element (no inline JS).
(() => {
  "use strict";
  const holder = document.getElementById("exit-burndown");
  const data = BankPM.data("exit-burndown-data");
  if (!holder || !data) return;
  const dates = data.dates.slice();
  if (data.close_date && !dates.includes(data.close_date)) { dates.push(data.close_date); dates.sort(); }
  const at = (values) => dates.map((day) => {
    const i = data.dates.indexOf(day);
    return i < 0 ? null : values[i];
  });
  const series = data.series.map((s) => ({name: s.name, type: "line", stack: "remaining", areaStyle: {opacity: 0.25},
                                          connectNulls: true, data: at(s.values)}));
  if (data.notice_date && data.close_date) {
    series.push({name: holder.dataset.idealLabel || "—", type: "line", symbol: "none",
                 lineStyle: {type: "dashed", color: "#999"}, connectNulls: true,
                 data: dates.map((day) => (day === data.notice_date ? data.total : day === data.close_date ? 0 : null))});
  }
  const chart = BankPM.chart(holder, {
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 48, right: 16, top: 32, bottom: 24},
    xAxis: {type: "category", data: dates}, yAxis: {type: "value", min: 0},
    series: series.length ? series : [{type: "line", data: []}],
  });
  if (data.close_date && series.length) {
    chart.setOption({series: [{markLine: {symbol: "none", data: [{xAxis: data.close_date}],
                                          label: {formatter: holder.dataset.closeLabel || ""}}}]});
  }
})();
