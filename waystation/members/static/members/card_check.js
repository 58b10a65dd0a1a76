// The card check's scanner: the browser's BarcodeDetector where it reads QR codes, else jsQR
// (vendored, loaded only then) on frames of the camera drawn to a canvas; a photo of the code
// is read the same way (for a browser without camera access, or a page not on HTTPS). A code
// read is checked by opening the check page with it, as a phone's camera app would; the page
// then takes the token out of the address bar, so it is never on screen.
(function () {
  var box = document.getElementById("scanner");
  if (!box) { return; }
  var text = JSON.parse(document.getElementById("scanner-text").textContent);
  var el = function (id) { return document.getElementById(id); };
  var video = el("scanner-video"), view = el("scanner-view"), statusEl = el("scanner-status");
  var startBtn = el("scanner-start"), stopBtn = el("scanner-stop"), fileInput = el("scanner-file");
  var verifyUrl = box.getAttribute("data-verify-url");
  var stream = null, running = false, decoderReady = null;
  var canvas = document.createElement("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });

  var result = el("verify-result");
  if (result) {
    if (window.location.search) { window.history.replaceState(null, "", window.location.pathname); }
    result.focus();
  }

  function say(message) { statusEl.textContent = message; }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) { return Promise.resolve(null); }
    var formats = window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats() : Promise.resolve(["qr_code"]);
    return formats.then(function (list) {
      return list.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }).catch(function () { return null; });
  }
  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(); return; }
      var s = document.createElement("script");
      s.src = box.getAttribute("data-jsqr");
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function jsqrRead(source, thorough) {
    var w = source.videoWidth || source.naturalWidth || source.width;
    var h = source.videoHeight || source.naturalHeight || source.height;
    if (!w || !h) { return null; }
    var scale = Math.min(1, 1024 / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
    var frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var hit = window.jsQR(frame.data, frame.width, frame.height,
      { inversionAttempts: thorough ? "attemptBoth" : "dontInvert" });
    return hit ? hit.data : null;
  }
  // decode(source, thorough) -> Promise of the text of the first QR code in it, or null
  function decoder() {
    if (!decoderReady) {
      decoderReady = nativeDetector().then(function (detector) {
        box.setAttribute("data-decoder", detector ? "native" : "jsqr");
        if (detector) {
          return function (source) {
            return detector.detect(source).then(function (codes) {
              return codes.length ? codes[0].rawValue : null;
            });
          };
        }
        return loadJsQR().then(function () {
          return function (source, thorough) { return Promise.resolve(jsqrRead(source, thorough)); };
        });
      });
      decoderReady.catch(function () { decoderReady = null; });
    }
    return decoderReady;
  }

  // The token in a code read: the check page's address with ?t=, or a bare token (a scanner
  // gun typing it); null for any other code (a payment code, another site's link).
  function tokenOf(raw) {
    raw = (raw || "").trim();
    var url = null;
    try { url = new URL(raw); } catch (e) { url = null; }
    if (url) {
      var same = url.pathname.replace(/\/+$/, "") === verifyUrl.replace(/\/+$/, "");
      return same ? url.searchParams.get("t") : null;
    }
    return /^[\w.:-]{20,}$/.test(raw) ? raw : null;
  }
  function handle(raw) {
    var token = tokenOf(raw);
    if (!token) { say(text.not_card); return false; }
    stop();
    say(text.checking);
    window.location.assign(verifyUrl + "?t=" + encodeURIComponent(token));
    return true;
  }

  function stop() {
    running = false;
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.srcObject = null;
    view.hidden = true;
    startBtn.hidden = false;
    stopBtn.hidden = true;
  }
  function scan(decode) {
    running = true;
    (function frame() {
      if (!running) { return; }
      var read = video.readyState >= 2 ? decode(video, false) : Promise.resolve(null);
      read.then(function (raw) {
        if (running && raw && handle(raw)) { return; }
        if (running) { setTimeout(frame, 150); }
      }, function () { if (running) { setTimeout(frame, 300); } });
    })();
  }

  startBtn.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { say(text.no_camera); return; }
    say(text.starting);
    decoder().then(function (decode) {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          view.hidden = false;
          startBtn.hidden = true;
          stopBtn.hidden = false;
          return video.play().then(function () { say(text.aim); scan(decode); });
        });
    }).catch(function (err) {
      stop();
      say(err && err.name === "NotAllowedError" ? text.denied : text.no_camera);
    });
  });
  stopBtn.addEventListener("click", function () { stop(); say(""); });
  window.addEventListener("pagehide", stop);

  function imageOf(file) {
    if (window.createImageBitmap) { return window.createImageBitmap(file); }
    return new Promise(function (resolve, reject) {
      var image = new Image();
      image.onload = function () { resolve(image); };
      image.onerror = reject;
      image.src = URL.createObjectURL(file);
    });
  }
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) { return; }
    say(text.reading);
    decoder().then(function (decode) {
      return imageOf(file).then(function (image) { return decode(image, true); });
    }).then(function (raw) {
      if (!raw) { say(text.not_found); } else { handle(raw); }
    }).catch(function () { say(text.not_found); })
      .finally(function () { fileInput.value = ""; });
  });
})();
