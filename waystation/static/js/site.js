// Shared behaviour: background-job progress bars poll their job until it ends.
(function () {
  function poll(box) {
    var url = box.getAttribute("data-job-url");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        box.querySelector("progress").value = job.percent;
        box.querySelector(".job-percent").textContent = job.percent + "%";
        box.querySelector(".job-status").textContent = job.status_display;
        box.querySelector(".job-message").textContent = job.message;
        box.setAttribute("data-job-status", job.status);
        if (job.status === "queued" || job.status === "running") {
          setTimeout(function () { poll(box); }, 1000);
        } else {
          box.dispatchEvent(new CustomEvent("job-finished", { detail: job, bubbles: true }));
          if (box.hasAttribute("data-reload-on-finish")) { window.location.reload(); }
        }
      })
      .catch(function () { setTimeout(function () { poll(box); }, 3000); });
  }
  document.querySelectorAll("[data-job-url]").forEach(function (box) {
    var s = box.getAttribute("data-job-status");
    if (s === "queued" || s === "running") { poll(box); }
  });
  window.waystationPollJob = poll;
})();

// Installable and offline (waystation/core/pwa.py): the service worker, and the 离线 banner
// when a page, or what a page loaded, came from the worker's saved copy.
(function () {
  var banner = document.getElementById("offline-banner");
  function when(iso) {
    var d = new Date(iso);
    if (!iso || isNaN(d.getTime())) return "";
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function show(savedAt) {
    if (!banner) return;
    var t = when(savedAt);
    banner.querySelector(".offline-when").textContent = t ? "，显示的是 " + t + " 保存的内容" : "";
    banner.hidden = false;
  }
  var saved = document.documentElement.getAttribute("data-offline-at");
  if (saved !== null) show(saved);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "offline") show(e.data.savedAt);
    });
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
  window.addEventListener("offline", function () { show(""); });
})();

// The staff navigation is open in the page (it works without script); on a phone it starts
// folded behind 菜单, on a desk it is the sidebar.
(function () {
  var nav = document.getElementById("staff-nav");
  if (nav && window.matchMedia && !window.matchMedia("(min-width: 60rem)").matches) nav.open = false;
})();
