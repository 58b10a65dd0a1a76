// The statistics pages' charts (ECharts, drawn as SVG): every element with data-chart="bar|pie|
// line" and data-rows="<id of a json_script of [{name, n}]>" is drawn (core/_chart.html), with
// no truncated or overlapping label: a bar chart grows one row per item and wraps long names
// (union names) on its axis; a pie hides the labels of slivers (their figures are in the table
// beside it) and moves the others apart; a line chart drops the axis labels that would collide.
// waystationCharts.bar/pie/line(id, rows) draw one chart by hand.
window.waystationCharts = (function () {
  var RED = "#c8102e";
  var ROW = 28; // px per bar at least
  var LINE = 14; // px per line of a wrapped name

  function init(el) {
    var old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    var c = echarts.init(el, null, { renderer: "svg" });
    // no animation: the figures are there at once (and nothing moves for who asks it not to)
    c.setOption({ animation: false });
    return c;
  }
  function element(id) { return typeof id === "string" ? document.getElementById(id) : id; }
  function textWidth(text, font) {
    var ctx = textWidth.ctx || (textWidth.ctx = document.createElement("canvas").getContext("2d"));
    ctx.font = font;
    return ctx.measureText(text).width;
  }
  var FONT = "12px sans-serif";

  function bar(id, rows) {
    var el = element(id); if (!el) return null;
    var longest = rows.reduce(function (w, r) { return Math.max(w, textWidth(String(r.name), FONT)); }, 0);
    // a name longer than 40% of the chart wraps onto more lines instead of being cut, and each
    // bar's row is as tall as its name's lines
    var labelWidth = Math.ceil(Math.min(longest + 4, Math.max(80, el.clientWidth * 0.4)));
    var lines = Math.max(1, Math.ceil(longest / (labelWidth - 4)));
    var row = Math.max(ROW, lines * LINE + 10);
    el.style.height = Math.max(160, rows.length * row + 40) + "px";
    var c = init(el);
    c.setOption({
      grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: "item" },
      xAxis: { type: "value", axisLabel: { hideOverlap: true }, minInterval: 1 },
      yAxis: {
        type: "category", inverse: true, data: rows.map(function (r) { return r.name; }),
        axisLabel: { interval: 0, width: labelWidth, overflow: "break", lineHeight: LINE }
      },
      series: [{ type: "bar", data: rows.map(function (r) { return r.n; }), itemStyle: { color: RED },
                 barMaxWidth: 22, label: { show: true, position: "right" } }]
    });
    return c;
  }

  function pie(id, rows) {
    var el = element(id); if (!el) return null;
    var c = init(el);
    var labelWidth = Math.max(70, Math.floor(el.clientWidth * 0.22));
    c.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      series: [{
        type: "pie", radius: ["0%", "52%"], center: ["50%", "50%"], avoidLabelOverlap: true,
        minShowLabelAngle: 6,
        label: { formatter: "{b}\n{d}%", width: labelWidth, overflow: "break", lineHeight: 14 },
        labelLine: { length: 8, length2: 8 },
        labelLayout: { hideOverlap: true, moveOverlap: "shiftY" },
        data: rows.map(function (r) { return { name: r.name, value: r.n }; })
      }]
    });
    return c;
  }

  function line(id, rows) {
    var el = element(id); if (!el) return null;
    var c = init(el);
    c.setOption({
      grid: { left: 8, right: 24, top: 12, bottom: 40, containLabel: true }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: rows.length > 30 ? [{ type: "inside" }, { type: "slider", height: 16, bottom: 4 }] : [],
      series: [{ type: "line", data: rows.map(function (r) { return r.n; }), itemStyle: { color: RED } }]
    });
    return c;
  }

  var kinds = { bar: bar, pie: pie, line: line };
  function drawAll() {
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-rows"));
      var draw = kinds[el.getAttribute("data-chart")];
      var rows = src ? JSON.parse(src.textContent) : [];
      if (draw && rows.length) charts.push(draw(el, rows));
    });
    var timer;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { charts.forEach(function (c) { if (c) c.resize(); }); }, 150);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll); else drawAll();
  return { bar: bar, pie: pie, line: line };
})();
