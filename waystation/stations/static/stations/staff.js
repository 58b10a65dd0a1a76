// Charts of a station's visits (by day, hour, industry) from the json_script block.
(function () {
  var el = document.getElementById("visit-stats");
  if (!el || !window.waystationCharts) return;
  var s = JSON.parse(el.textContent);
  waystationCharts.line("by-day", s.by_day);
  waystationCharts.line("by-hour", s.by_hour);
  waystationCharts.pie("by-industry", s.by_industry);
})();
