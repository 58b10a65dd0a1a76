// A station page: its distance from the point the map page found (sessionStorage, this tab
// only, never sent), if found in the last 30 minutes.
(function () {
  var el = document.getElementById("station-distance");
  if (!el) return;
  var here;
  try { here = JSON.parse(sessionStorage.getItem("waystation.here") || "null"); } catch (e) { here = null; }
  if (!here || !(Date.now() - here.at < 30 * 60 * 1000)) return;
  var rad = Math.PI / 180;
  var lon = parseFloat(el.getAttribute("data-lon")), lat = parseFloat(el.getAttribute("data-lat"));
  var dLat = (lat - here.lat) * rad, dLon = (lon - here.lon) * rad;
  var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
    Math.cos(here.lat * rad) * Math.cos(lat * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
  var m = 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
  // as the server writes it (navigation.distance_text): metres below 1 km, then kilometres
  var text = Math.round(m) < 1000 ? Math.round(m) + " 米" : (m < 10000 ? (m / 1000).toFixed(1) : Math.round(m / 1000)) + " 公里";
  el.textContent = "距您约 " + text + "（直线）";
  el.hidden = false;
})();
