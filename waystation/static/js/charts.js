// Small wrappers over ECharts for the statistics pages: rows are [{name, n}].
window.waystationCharts = (function () {
  function init(id) { var el = document.getElementById(id); return el ? echarts.init(el) : null; }
  return {
    bar: function (id, rows) {
      var c = init(id); if (!c) return;
      c.setOption({ grid: { left: 110, right: 20, top: 10, bottom: 20 }, tooltip: {},
        xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
        series: [{ type: "bar", data: rows.map(function (r) { return r.n; }), itemStyle: { color: "#c8102e" } }] });
    },
    pie: function (id, rows) {
      var c = init(id); if (!c) return;
      c.setOption({ tooltip: {}, series: [{ type: "pie", radius: "65%", data: rows.map(function (r) { return { name: r.name, value: r.n }; }) }] });
    },
    line: function (id, rows) {
      var c = init(id); if (!c) return;
      c.setOption({ grid: { left: 50, right: 20, top: 10, bottom: 40 }, tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: rows.map(function (r) { return r.name; }) }, yAxis: { type: "value" },
        dataZoom: [{ type: "inside" }, { type: "slider", height: 16 }],
        series: [{ type: "line", data: rows.map(function (r) { return r.n; }), itemStyle: { color: "#c8102e" } }] });
    }
  };
})();
