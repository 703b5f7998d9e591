// The chart helper of every page (loaded once, after ECharts, by the {% chart_scripts %} tag): charts are drawn in
// the app's theme (Tabler's palette, the page's font) and resized together with the window, and a page's data is
// read from its json_script element. Page chart scripts call BankPM.chart(element, option).
(() => {
  "use strict";
  const BankPM = (window.BankPM = window.BankPM || {});
  const charts = new Set();
  echarts.registerTheme("bankpm", {
    color: ["#206bc4", "#2fb344", "#f76707", "#d63939", "#ae3ec9", "#17a2b8", "#f59f00", "#74b816", "#4263eb",
            "#667382"],
    textStyle: {fontFamily: getComputedStyle(document.body).fontFamily},
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));

  // A chart on the element, in the theme, resized with the window; marked drawn (data-drawn) for the browser tests.
  BankPM.chart = (element, option) => {
    const chart = echarts.init(element, "bankpm");
    charts.add(chart);
    if (option) chart.setOption(option);
    element.dataset.drawn = "1";
    return chart;
  };

  // The chart of a page element drawn from its json_script data, when the page has both: optionOf(data, element)
  // gives the option. Returns the chart, or null.
  BankPM.drawChart = (elementId, dataId, optionOf) => {
    const element = document.getElementById(elementId), data = BankPM.data(dataId);
    return element && data ? BankPM.chart(element, optionOf(data, element)) : null;
  };

  // The JSON of a json_script element, or null when the page has none.
  BankPM.data = (id) => {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  };
})();
