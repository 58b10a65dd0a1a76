// The e-card's QR: fetched by script (never a page reload, which would throw a screen reader
// to the top and could reload during a scan), with the time it was made and a countdown to the
// next one, so that a live card ticks and a screenshot does not. A code that is already past
// its expiry when it arrives came from the offline cache (the service worker's copy of
// code.json): the card then says it is the cached card, and since when.
(function () {
  var box = document.getElementById("member-card");
  if (!box) { return; }
  var text = JSON.parse(document.getElementById("card-text").textContent);
  var el = function (id) { return document.getElementById(id); };
  var img = el("card-qr-img"), wait = el("card-qr-wait"), clock = el("card-clock");
  var issuedEl = el("card-issued"), countdown = el("card-countdown"), bar = el("card-bar");
  var status = el("card-status"), cached = el("card-cached");
  var code = null, loading = false, failedAt = 0;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  function when(d) {
    var zone = { timeZone: "Asia/Shanghai" };
    var day = function (x) { return x.toLocaleDateString("zh-CN", zone); };
    var time = d.toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
    if (day(d) === day(new Date())) { return time; }
    return d.toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai", month: "long", day: "numeric" }) + " " + time;
  }
  function span(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function say(message, offline) {
    cached.hidden = !offline;
    cached.querySelector("span").textContent = offline ? message : "";
    if (status.textContent !== (offline ? "" : message)) { status.textContent = offline ? "" : message; }
    box.classList.toggle("is-cached", !!offline);
  }

  function show(data) {
    code = {
      issued: new Date(data.issued_at), expires: new Date(data.expires_at),
      refresh: new Date(data.refresh_at), qr: data.qr
    };
    img.src = data.qr;
    img.hidden = false;
    wait.hidden = true;
    clock.hidden = false;
    issuedEl.dateTime = data.issued_at;
    issuedEl.textContent = when(code.issued);
    tick();
  }

  function load(announce) {
    if (loading) { return; }
    loading = true;
    fetch(box.getAttribute("data-code-url"), {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }
    }).then(function (r) {
      if (r.status === 403) { throw new Error("signed_out"); }
      if (!r.ok) { throw new Error("http"); }
      return r.json();
    }).then(function (data) {
      failedAt = 0;
      show(data);
      if (announce && !box.classList.contains("is-cached")) { status.textContent = text.refreshed; }
    }).catch(function (err) {
      failedAt = Date.now();
      if (err.message === "signed_out") {
        code = null;
        img.hidden = true; clock.hidden = true; wait.hidden = false;
        wait.innerHTML = "";
        var a = document.createElement("a");
        a.href = box.getAttribute("data-login-url");
        a.textContent = text.signed_out;
        wait.appendChild(a);
        return;
      }
      if (!code) {
        wait.textContent = text.no_code;
        say(fill(text.cached_page, { time: when(new Date(box.getAttribute("data-page-made"))) }), true);
      }
      tick();
    }).finally(function () { loading = false; });
  }

  function tick() {
    if (!code) { return; }
    var now = Date.now();
    if (now >= code.expires) {
      box.classList.add("is-stale");
      countdown.textContent = text.expired;
      bar.style.width = "0";
      say(fill(text.cached, { time: when(code.issued) }), true);
      if (!loading && now - failedAt > 15000) { load(false); }
      return;
    }
    box.classList.remove("is-stale");
    var total = (code.refresh - code.issued) / 1000;
    var left = (code.refresh - now) / 1000;
    if (failedAt) {  // no signal: the code still shown is valid until it expires
      countdown.textContent = fill(text.valid_for, { left: span((code.expires - now) / 1000) });
      say(text.no_signal, false);
      if (!loading && now - failedAt > 15000) { load(false); }
    } else {
      countdown.textContent = fill(text.countdown, { left: span(left) });
      if (box.classList.contains("is-cached")) { say("", false); }
    }
    bar.style.width = Math.max(0, Math.min(100, 100 * left / total)) + "%";
    if (left <= 0 && !loading && !failedAt) { load(false); }
  }

  el("card-refresh").addEventListener("click", function () { load(true); });
  window.addEventListener("online", function () { load(false); });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { tick(); }
  });
  setInterval(tick, 1000);
  load(false);
})();
