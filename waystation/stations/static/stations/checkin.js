// Check-in without the poster's code: on "确认签到", ask for the phone's location and send it with
// the form (WGS-84, as browsers give it); the server counts the visit only near the station.
// Refused or unavailable, the form is sent as it is and the page says why it did not count.
(function () {
  var form = document.getElementById("checkin-form");
  if (!form || !navigator.geolocation) return;
  var note = document.getElementById("checkin-location");
  var button = document.getElementById("checkin-submit");
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) return;
    event.preventDefault();
    sent = true;
    button.disabled = true;
    if (note) note.textContent = "正在获取您的位置…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.elements.lon.value = pos.coords.longitude;
        form.elements.lat.value = pos.coords.latitude;
        form.submit();
      },
      function () { form.submit(); },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });
})();
