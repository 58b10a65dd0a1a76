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
