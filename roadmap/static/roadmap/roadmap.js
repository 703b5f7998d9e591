// The portfolio roadmap: one row per product (group headers between), stage spans, target dates against actual
// ones, gate reviews with their lead time, pilots and point events, today's line. Data comes from a JSON script
// element (no inline JS); drawn through the chart helper (static/js/charts.js).
(() => {
  "use strict";
  const STAGE_COLOURS = { planning: "#74b9ff", development: "#4263eb", marketing: "#ae3ec9", operation: "#2fb344",
                        retirement: "#f76707", retired: "#868e96", cancelled: "#adb5bd" };
  const GATE_COLOURS = { approved: "#2fb344", rejected: "#f59f00", pending: "#4299e1" };
  const MARKS = { version: ["triangle", "#1d4ed8"], rollout: ["arrow", "#2fb344"], notice: ["pin", "#f76707"],
                close: ["pin", "#b91c1c"], deliverable: ["circle", "#667382"], overdue_deliverable: ["circle", "#d63939"],
                condition: ["rect", "#667382"], overdue_condition: ["rect", "#d63939"] };
  const ROWS_IN_VIEW = 28, ROW_HEIGHT = 24;

  function ms(day) { return day ? Date.parse(day + "T00:00:00") : null; }
  function end(day) { return day ? Date.parse(day + "T23:59:59") : null; }

  function clip(rect, params) {
    return echarts.graphic.clipRectByRect(rect, { x: params.coordSys.x, y: params.coordSys.y,
      width: params.coordSys.width, height: params.coordSys.height });
  }

  function bar(offset, heightShare, colourOf, dashed) {
    return (params, api) => {
      const a = api.coord([api.value(1), api.value(0)]), b = api.coord([api.value(2), api.value(0)]);
      const h = api.size([0, 1])[1] * heightShare;
      const rect = clip({ x: a[0], y: a[1] - h / 2 + api.size([0, 1])[1] * offset, width: Math.max(b[0] - a[0], 3),
                        height: h }, params);
      if (!rect) { return null; }
      const colour = colourOf(params.dataIndex);
      return { type: "rect", shape: rect, style: dashed ? { fill: "transparent", stroke: colour, lineDash: [4, 3] }
                                                        : { fill: colour, opacity: 0.85 } };
    };
  }

  function build(data, holder) {
    const today = ms(data.today), L = data.legend;
    const headers = {}; data.headers.forEach((i) => { headers[i] = true; });
    const spans = data.spans.map((s) => { return [s[0], ms(s[1]), end(s[2])]; });
    const gates = data.gates.map((g) => { return [g[0], ms(g[1]), g[2] ? end(g[2]) : today]; });
    const pilots = data.pilots.map((p) => { return [p[0], ms(p[1]), end(p[2])]; });
    const plans = data.plans.map((p) => {
      return [p[0], ms(p[1]), p[2] ? ms(p[2]) : (p[3] === "overdue" ? today : ms(p[1]))];
    });
    const series = [
      { name: "spans", type: "custom", renderItem: bar(0, 0.42, (i) => {
          return STAGE_COLOURS[data.spans[i][3]] || "#999"; }), encode: { x: [1, 2], y: 0 }, data: spans,
        markLine: { silent: true, symbol: "none", lineStyle: { color: "#d63939", type: "solid", width: 1.5 },
                    label: { formatter: L.today, position: "start" }, data: [{ xAxis: today }] } },
      { name: "gates", type: "custom", renderItem: (params, api) => {
          const g = data.gates[params.dataIndex], a = api.coord([api.value(1), api.value(0)]);
          const b = api.coord([api.value(2), api.value(0)]), y = a[1] - api.size([0, 1])[1] * 0.36;
          const colour = g[3] ? "#d63939" : (GATE_COLOURS[data.gateStatus[params.dataIndex]] || "#4299e1");
          return { type: "group", children: [
            { type: "line", shape: { x1: a[0], y1: y, x2: Math.max(b[0], a[0] + 2), y2: y },
              style: { stroke: colour, lineWidth: g[3] ? 3 : 2 } },
            { type: "polygon", shape: { points: [[b[0], y - 4], [b[0] + 4, y], [b[0], y + 4], [b[0] - 4, y]] },
              style: { fill: colour } }] };
        }, encode: { x: [1, 2], y: 0 }, data: gates, z: 3 },
      { name: "pilots", type: "custom", renderItem: bar(0.33, 0.14, () => { return "#7048e8"; }),
        encode: { x: [1, 2], y: 0 }, data: pilots, z: 3 },
      { name: "plans", type: "custom", renderItem: (params, api) => {
          const p = data.plans[params.dataIndex], t = api.coord([api.value(1), api.value(0)]);
          const a = api.coord([api.value(2), api.value(0)]), y = t[1] + api.size([0, 1])[1] * 0.05;
          const late = p[3] === "late" || p[3] === "overdue", colour = late ? "#d63939" : "#2fb344";
          const children = [{ type: "polygon", shape: { points: [[t[0], y - 6], [t[0] + 6, y], [t[0], y + 6], [t[0] - 6, y]] },
                            style: { fill: "#fff", stroke: "#1f2937", lineWidth: 1.5 } }];
          if (a[0] !== t[0]) {
            children.unshift({ type: "line", shape: { x1: t[0], y1: y, x2: a[0], y2: y },
                               style: { stroke: colour, lineWidth: 2, lineDash: p[3] === "overdue" ? [4, 3] : null } });
          }
          if (p[2]) { children.push({ type: "circle", shape: { cx: a[0], cy: y, r: 3.5 }, style: { fill: colour } }); }
          return { type: "group", children: children };
        }, encode: { x: [1, 2], y: 0 }, data: plans, z: 4 }
    ];
    Object.keys(MARKS).forEach((kind) => {
      const points = [];
      data.marks.forEach((m) => { if (m[2] === kind) { points.push([ms(m[1]), m[0]]); } });
      series.push({ name: kind, type: "scatter", symbol: MARKS[kind][0], symbolSize: kind === "rollout" ? 12 : 10,
                    itemStyle: { color: MARKS[kind][1] }, data: points, z: 5 });
    });
    const rows = data.rows.length, chartHeight = Math.min(rows, ROWS_IN_VIEW) * ROW_HEIGHT + 90;
    holder.style.height = chartHeight + "px";
    const chart = BankPM.chart(holder, {
      animation: false,
      grid: { left: 240, right: 36, top: 40, bottom: 40 },
      toolbox: { right: 8, feature: { saveAsImage: { name: "roadmap", title: L.save, pixelRatio: 2 } } },
      tooltip: { trigger: "item", confine: true, formatter: (p) => { return tip(data, p); } },
      xAxis: { type: "time", min: ms(data.from), max: end(data.to), position: "top",
               splitLine: { show: true, lineStyle: { color: "#eef1f5" } } },
      yAxis: { type: "category", inverse: true, data: data.rows, axisTick: { show: false },
               axisLabel: { interval: 0, width: 225, overflow: "truncate", formatter: (value, index) => {
                 return headers[index] ? "{h|" + value + "}" : value; }, rich: { h: { fontWeight: "bold", color: "#1f2937" } } },
               splitArea: { show: false } },
      dataZoom: [
        { type: "slider", yAxisIndex: 0, right: 4, width: 14, startValue: 0, endValue: Math.min(rows, ROWS_IN_VIEW) - 1,
          show: rows > ROWS_IN_VIEW, showDetail: false, filterMode: "weakFilter" },
        { type: "inside", yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true, filterMode: "weakFilter" },
        { type: "slider", xAxisIndex: 0, bottom: 6, height: 16, filterMode: "weakFilter", labelFormatter: "" }
      ],
      series: series
    });
    chart.on("click", (p) => {
      const row = p.componentType === "yAxis" ? data.rows.indexOf(p.value) : (p.value && p.value[p.seriesType === "scatter" ? 1 : 0]);
      if (data.links[row]) { window.location.href = "/products/" + data.links[row] + "/"; }
    });
    return chart;
  }

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"]/g, (c) => {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c]; });
  }

  function tip(data, p) {
    const L = data.legend, i = p.dataIndex;
    let row;
    if (p.seriesName === "spans") {
      const s = data.spans[i]; return esc(data.rows[s[0]]) + "<br>" + esc(s[4]) + ": " + s[1] + " — " + s[2];
    }
    if (p.seriesName === "gates") {
      const g = data.gates[i];
      return esc(data.rows[g[0]]) + "<br>" + esc(g[4]) + " · " + esc(g[6]) + "<br>" + g[1] + " → " + (g[2] || "…") +
        "<br>" + esc(L.lead) + ": " + g[5] + (g[3] ? " · <b style='color:#d63939'>" + esc(L.overdue) + "</b>" : "");
    }
    if (p.seriesName === "pilots") {
      const t = data.pilots[i]; return esc(data.rows[t[0]]) + "<br>" + esc(L.pilot) + ": " + esc(t[3]) + "<br>" + t[1] + " — " + t[2];
    }
    if (p.seriesName === "plans") {
      const q = data.plans[i];
      return esc(data.rows[q[0]]) + "<br>" + esc(L.plan) + " · " + esc(q[4]) + ": " + q[1] + (q[2] ? " → " + q[2] : "") +
        "<br>" + esc(L.slip) + ": " + (q[5] > 0 ? "+" : "") + q[5];
    }
    row = p.value ? p.value[1] : null;
    const mark = data.marks.filter((x) => { return x[2] === p.seriesName && x[0] === row && ms(x[1]) === p.value[0]; })[0];
    const late = p.seriesName.indexOf("overdue_") === 0, kind = late ? p.seriesName.slice(8) : p.seriesName;
    return esc(data.rows[row]) + "<br>" + esc(L[kind]) + (mark ? " " + esc(mark[3]) + " · " + mark[1] : "") +
      (late ? " · " + esc(L.overdue) : "");
  }

  function start() {
    const holder = document.getElementById("roadmap-chart"), data = BankPM.data("roadmap-data");
    if (!holder || !data) { return; }
    data.gateStatus = data.gates.map((g) => { return g[7]; });
    const chart = build(data, holder);
    const png = document.getElementById("roadmap-png"), print = document.getElementById("roadmap-print");
    if (png) {
      png.addEventListener("click", () => {
        const link = document.createElement("a");
        link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
        link.download = "roadmap-" + data.from + "-" + data.to + ".png";
        document.body.appendChild(link); link.click(); link.remove();
      });
    }
    if (print) { print.addEventListener("click", () => { window.print(); }); }
  }
  start();
})();
