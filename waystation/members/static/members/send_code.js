// "获取验证码" without leaving the page: asks POST /api/v1/sms/send for a code (on the join page
// with the other fields, which the server checks first), shows what went wrong beside its field,
// and counts down until another code may be requested. Without script the button posts the form
// and the server does the same, answering with a redirect.
(function () {
  "use strict";
  var button = document.querySelector("button[data-send-code]");
  if (!button || !window.fetch || !window.JSON) { return; }
  var form = button.form;
  var purpose = button.getAttribute("data-send-code");
  var script = document.currentScript;
  var campaign = script ? script.getAttribute("data-campaign") : null;
  var label = button.textContent;
  var sending = button.getAttribute("data-sending") || "…";
  var waitText = button.getAttribute("data-wait") || "%(n)s";
  var notice = form.querySelector("[data-sms-notice]");
  var timer = null;

  function value(name) {
    var el = form.elements[name];
    return el ? el.value : "";
  }

  // The API names some fields as the service does; the page shows them under its own names, and
  // an error of a field the page has no place for (the campaign) above the form.
  var ALIAS = { platform: "platforms", consent_version: "consent", __all__: "form" };

  function byBox(errors) {
    var out = {};
    Object.keys(errors).forEach(function (field) {
      var name = ALIAS[field] || field;
      if (!form.querySelector('[data-errors-for="' + name + '"]')) { name = "form"; }
      out[name] = (out[name] || []).concat(errors[field]);
    });
    return out;
  }

  function showErrors(errors) {
    var shown = byBox(errors);
    var first = null;
    form.querySelectorAll("[data-errors-for]").forEach(function (box) {
      var field = box.getAttribute("data-errors-for");
      var list = shown[field] || [];
      box.textContent = "";
      list.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        box.appendChild(li);
      });
      var input = form.querySelector('[name="' + field + '"]');
      if (!input) { return; }
      if (list.length) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
      if (list.length && !first) { first = input; }
    });
    if (first) { first.focus(); }
  }

  // The wait is kept as a deadline (in this tab's storage, so a reload picks it up), not as a
  // count of ticks: a phone throttles the timers of a page in the background.
  var KEY = "waystation:resend-at:" + purpose;

  function remember(deadline) {
    try { window.sessionStorage.setItem(KEY, String(deadline)); } catch (e) { /* private mode */ }
  }

  function remembered() {
    try { return parseInt(window.sessionStorage.getItem(KEY) || "0", 10); } catch (e) { return 0; }
  }

  function ready() {
    clearInterval(timer);
    button.disabled = false;
    button.textContent = label;
  }

  function countdown(seconds) {
    var deadline = Date.now() + seconds * 1000;
    remember(deadline);
    clearInterval(timer);
    function tick() {
      var left = Math.ceil((deadline - Date.now()) / 1000);
      if (left <= 0) { ready(); return; }
      button.disabled = true;
      button.textContent = waitText.replace("%(n)s", String(left));
    }
    tick();
    timer = setInterval(tick, 1000);
  }

  function body() {
    var data = { phone: value("phone"), purpose: purpose };
    if (purpose === "join" && campaign) {
      var platforms = [];
      form.querySelectorAll("input[name=platforms]:checked").forEach(function (cb) { platforms.push(cb.value); });
      data.join = {
        campaign: campaign, name: value("name"), id_number: value("id_number"),
        industry: value("industry"), district: value("district"), platform: platforms
      };
    }
    return JSON.stringify(data);
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    if (button.disabled) { return; }
    button.disabled = true;
    button.textContent = sending;
    if (notice) { notice.textContent = ""; }
    fetch("/api/v1/sms/send", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: body()
    })
      .then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); })
      .then(function (res) {
        if (res.status === 202) {
          showErrors({});
          if (notice) { notice.textContent = res.data.detail; }
          countdown(res.data.resend_after);
          var code = form.elements.sms_code;
          if (code && code.focus) { code.focus(); }
        } else {
          showErrors(res.data.errors || {});
          if (res.status === 429 && res.data.retry_after) { countdown(res.data.retry_after); } else { ready(); }
        }
      })
      .catch(function () {
        // The network or the API failed: fall back to posting the form.
        ready();
        var action = document.createElement("input");
        action.type = "hidden"; action.name = "action"; action.value = "send_code";
        form.appendChild(action);
        form.submit();
      });
  });

  var wait = parseInt(button.getAttribute("data-resend-after") || "0", 10);
  wait = Math.max(wait, Math.ceil((remembered() - Date.now()) / 1000));
  if (wait > 0) { countdown(wait); }
})();
