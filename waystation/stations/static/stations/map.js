// The station map: district boundaries (local GeoJSON), stations, and "nearest" from the phone's
// location or a point picked on the map. Works without a tile server.
(function () {
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  var map = L.map(el, { zoomControl: true }).setView([31.75, 119.75], 9);
  // Leaflet's own prefix carries a national flag: the attribution names the library in words.
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" rel="noopener">Leaflet</a>');
  var tiles = el.getAttribute("data-tile-url");
  if (tiles) L.tileLayer(tiles, { attribution: el.getAttribute("data-tile-attribution") || "" }).addTo(map);
  var service = document.getElementById("service");
  var openNow = document.getElementById("open_now");
  var list = document.getElementById("nearest-list");
  var geoError = document.getElementById("geo-error");
  var stationsLayer = L.layerGroup().addTo(map);
  var hereMarker = null;
  var lastPoint = null;
  var navIcon = document.getElementById("nav-icon");
  var navIconHtml = navIcon ? navIcon.innerHTML : "";

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function qs(extra) {
    var p = new URLSearchParams(extra || {});
    if (service.value) p.set("service", service.value);
    if (openNow.checked) p.set("open_now", "true");
    return p.toString();
  }

  fetch(el.getAttribute("data-districts-url")).then(function (r) { return r.json(); }).then(function (gj) {
    var layer = L.geoJSON(gj, { style: { color: "#c8102e", weight: 1.5, fillColor: "#c8102e", fillOpacity: 0.04 },
      onEachFeature: function (f, l) { l.bindTooltip(f.properties.name, { sticky: true }); } }).addTo(map);
    if (!lastPoint) map.fitBounds(layer.getBounds());  // not away from stations already found
    layer.bringToBack();
  });

  function loadStations() {
    fetch(el.getAttribute("data-stations-url") + "?" + qs()).then(function (r) { return r.json(); }).then(function (gj) {
      stationsLayer.clearLayers();
      gj.features.forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        L.circleMarker([c[1], c[0]], { radius: 6, weight: 1, color: "#fff", fillOpacity: 0.9,
          fillColor: p.open_now ? "#1a7f37" : "#8a8a8f" })
          .bindPopup('<a href="/stations/' + encodeURIComponent(p.code) + '/"><b>' + esc(p.name) + "</b></a><br>" + esc(p.open_label))
          .addTo(stationsLayer);
      });
    });
  }

  function remember(lon, lat) {
    // The station page shows its distance from here; kept in this tab only, never sent.
    try { sessionStorage.setItem("waystation.here", JSON.stringify({ lon: lon, lat: lat, at: Date.now() })); } catch (e) { /* private mode */ }
  }
  function card(h) {
    var nav = (h.nav || []).map(function (n) {
      return '<a class="button secondary nav-app" data-app="' + esc(n.app) + '" href="' + esc(n.url) + '" rel="noopener">' + esc(n.label) + "</a>";
    }).join("");
    return '<li class="station-hit"><a class="hit-name" href="/stations/' + encodeURIComponent(h.code) + '/">' + esc(h.name) + "</a>" +
      '<span class="pill ' + (h.open_now ? "ok" : "bad") + '">' + esc(h.open_label) + "</span>" +
      '<div class="muted hit-distance">' + esc(h.distance_text) + " · 步行约 " + h.walk_min + " 分钟 · 电动车约 " + h.ebike_min + " 分钟</div>" +
      (h.address ? '<div class="muted">' + esc(h.address) + "</div>" : "") +
      '<div class="nav-links" role="group" aria-label="导航到' + esc(h.name) + '"><span class="nav-title">' + navIconHtml + "导航</span>" + nav + "</div></li>";
  }

  function nearest(lon, lat, mine) {
    lastPoint = [lon, lat, mine];
    if (mine) remember(lon, lat);
    if (hereMarker) map.removeLayer(hereMarker);
    hereMarker = L.circleMarker([lat, lon], { radius: 9, color: "#0a58ca", weight: 3, fillOpacity: 0.3 }).addTo(map);
    list.innerHTML = "<li>正在查找…</li>";
    fetch(el.getAttribute("data-nearest-url") + "?" + qs({ lon: lon, lat: lat, datum: "wgs84", limit: 5 }))
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) {
          var errs = res.body.errors || {}; var msgs = [];
          Object.keys(errs).forEach(function (k) { msgs = msgs.concat(errs[k]); });
          list.innerHTML = '<li class="error">' + esc(msgs.join("；") || "查找失败") + "</li>";
          return;
        }
        if (!res.body.length) { list.innerHTML = "<li>附近没有符合条件的驿站</li>"; return; }
        list.innerHTML = res.body.map(card).join("");
        var first = res.body[0];
        map.fitBounds(L.latLngBounds([[lat, lon], [first.lat, first.lon]]).pad(0.5), { animate: false });
      })
      .catch(function () { list.innerHTML = '<li class="error">网络不通，请稍后再试</li>'; });
  }

  document.getElementById("find-nearest").addEventListener("click", function () {
    geoError.hidden = true;
    if (!navigator.geolocation) { geoError.textContent = "此浏览器不能定位，请在地图上点选位置"; geoError.hidden = false; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      nearest(pos.coords.longitude, pos.coords.latitude, true);
    }, function () {
      geoError.textContent = "无法获取位置（请允许定位），也可以在地图上点选位置"; geoError.hidden = false;
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  });
  map.on("click", function (e) { nearest(e.latlng.lng, e.latlng.lat, false); });
  [service, openNow].forEach(function (input) {
    input.addEventListener("change", function () { loadStations(); if (lastPoint) nearest(lastPoint[0], lastPoint[1], lastPoint[2]); });
  });
  loadStations();
})();
