// The analysis map: district boundaries (always, no tile server needed), hexagons, stations and
// chosen sites, in the colours of the legend (reports.LAYERS, passed in "map-style"); the
// district a task was run for outlined. A tile layer is drawn only when MAP_TILE_URL is set.
(function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var layers = data("layers-data") || {};
  var style = data("map-style") || { layers: {}, focus: "" };
  var colour = style.layers;
  var map = L.map("map", { preferCanvas: true });
  map.attributionControl.setPrefix("");
  if (window.WAYSTATION_TILE_URL) {
    L.tileLayer(window.WAYSTATION_TILE_URL, { attribution: window.WAYSTATION_TILE_ATTRIBUTION || "" }).addTo(map);
  }
  var bounds = L.geoJSON(data("boundaries-data"), {
    style: function (f) {
      var focus = style.focus && f.properties.key === style.focus;
      return { color: focus ? colour.focus : colour.boundaries, weight: focus ? 4 : 1.5, fill: true, fillColor: "#f4f1ea", fillOpacity: 0.6 };
    },
    onEachFeature: function (f, l) { l.bindTooltip(f.properties.name, { sticky: true }); }
  }).addTo(map);
  if (bounds.getLayers().length) map.fitBounds(bounds.getBounds()); else map.setView([32, 119], 8);
  function hex(name) {
    if (!layers[name]) return;
    var c = colour[name];
    L.geoJSON(layers[name], { style: { color: c, weight: 0.5, fillColor: c, fillOpacity: 0.45 },
      onEachFeature: function (f, l) { l.bindTooltip("需求 " + Math.round(f.properties.weight || 0)); } }).addTo(map);
  }
  hex("covered_hexagons");
  hex("newly_covered_hexagons");
  hex("uncovered_hexagons");
  if (layers.stations) {
    L.geoJSON(layers.stations, { pointToLayer: function (f, ll) {
      return L.circleMarker(ll, { radius: 3, color: colour.stations, weight: 1, fillOpacity: 0.9 }).bindTooltip(String(f.properties.id));
    } }).addTo(map);
  }
  (data("chosen-data") || []).forEach(function (s, i) {
    L.marker([s.lat, s.lon], { icon: L.divIcon({ className: "chosen-site", html: "<b>" + (i + 1) + "</b>", iconSize: [22, 22] }) })
      .bindTooltip("第 " + (i + 1) + " 个新站 · 新增覆盖 " + Math.round(s.gain)).addTo(map);
  });
})();
