// The analysis map: district boundaries (always, no tile server needed), hexagons, stations and
// chosen sites. A tile layer is drawn only when MAP_TILE_URL is configured.
(function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var layers = data("layers-data") || {};
  var map = L.map("map", { preferCanvas: true });
  if (window.WAYSTATION_TILE_URL) {
    L.tileLayer(window.WAYSTATION_TILE_URL, { attribution: window.WAYSTATION_TILE_ATTRIBUTION || "" }).addTo(map);
  }
  var bounds = L.geoJSON(data("boundaries-data"), {
    style: { color: "#555", weight: 1.5, fill: true, fillColor: "#f4f1ea", fillOpacity: 0.6 },
    onEachFeature: function (f, l) { l.bindTooltip(f.properties.name, { sticky: true }); }
  }).addTo(map);
  map.fitBounds(bounds.getBounds());
  function hex(name, color) {
    if (!layers[name]) return;
    L.geoJSON(layers[name], { style: { color: color, weight: 0.5, fillColor: color, fillOpacity: 0.45 },
      onEachFeature: function (f, l) { l.bindTooltip("需求 " + Math.round(f.properties.weight || 0)); } }).addTo(map);
  }
  hex("covered_hexagons", "#2e8b57");
  hex("newly_covered_hexagons", "#2e8b57");
  hex("uncovered_hexagons", "#e67e22");
  if (layers.stations) {
    L.geoJSON(layers.stations, { pointToLayer: function (f, ll) {
      return L.circleMarker(ll, { radius: 3, color: "#c8102e", weight: 1, fillOpacity: 0.9 }).bindTooltip(String(f.properties.id));
    } }).addTo(map);
  }
  (data("chosen-data") || []).forEach(function (s, i) {
    L.marker([s.lat, s.lon], { icon: L.divIcon({ className: "chosen-site", html: "<b>" + (i + 1) + "</b>", iconSize: [22, 22] }) })
      .bindTooltip("第 " + (i + 1) + " 个新站 · 新增覆盖 " + Math.round(s.gain)).addTo(map);
  });
})();
