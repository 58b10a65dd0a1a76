// The staff map: stations in scope as dots coloured by status (colours and legend from the page).
(function () {
  var el = document.getElementById("staff-map");
  if (!el || typeof L === "undefined") return;
  var map = L.map(el).setView([31.75, 119.75], 9);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" rel="noopener">Leaflet</a>');
  var tiles = el.getAttribute("data-tile-url");
  if (tiles) L.tileLayer(tiles, { attribution: el.getAttribute("data-tile-attribution") || "" }).addTo(map);
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  fetch(el.getAttribute("data-districts-url")).then(function (r) { return r.json(); }).then(function (gj) {
    L.geoJSON(gj, { interactive: false, style: { color: "#c8102e", weight: 1, fillColor: "#c8102e", fillOpacity: 0.03 } })
      .addTo(map).bringToBack();
  });
  fetch(el.getAttribute("data-layer-url"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (gj) {
    var layer = L.geoJSON(gj, {
      pointToLayer: function (f, latlng) {
        var p = f.properties;
        return L.circleMarker(latlng, { radius: 7, weight: 2, color: "#fff", fillColor: p.colour, fillOpacity: 0.95 });
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindPopup('<a href="' + esc(p.url) + '"><b>' + esc(p.name) + "</b></a><br>" + esc(p.code) + " · " + esc(p.status_label) +
          (p.open_reports ? "<br>未处理故障 " + p.open_reports : ""));
      }
    }).addTo(map);
    // the legend's boxes show and hide a status
    var markers = layer.getLayers();
    var boxes = document.querySelectorAll("#map-legend input[name=status]");
    Array.prototype.forEach.call(boxes, function (box) {
      box.addEventListener("change", function () {
        var shown = {};
        Array.prototype.forEach.call(boxes, function (b) { shown[b.value] = b.checked; });
        markers.forEach(function (l) {
          var on = shown[l.feature.properties.status] !== false;
          if (on && !layer.hasLayer(l)) layer.addLayer(l);
          if (!on && layer.hasLayer(l)) layer.removeLayer(l);
        });
      });
    });
    if (gj.features.length) map.fitBounds(layer.getBounds().pad(0.1), { animate: false });
    el.setAttribute("data-count", String(gj.features.length));  // drawn where it will stay
  });
})();
