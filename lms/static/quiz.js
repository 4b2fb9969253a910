// The quiz page: autosave while answering and a countdown to the server's deadline.
// The server decides everything; this only saves earlier and shows the time.
(function () {
  "use strict";
  // Times the server wrote in UTC (the text without JavaScript), shown in this device's
  // local time, as autosave's "saved at" is: the retry time after a failed attempt.
  Array.prototype.forEach.call(document.querySelectorAll("time[data-local-time]"), function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (isNaN(moment.getTime())) { return; }
    // data-local-time="time": the time of day only (as autosave says it); else day and time.
    el.textContent = el.getAttribute("data-local-time") === "time"
      ? moment.toLocaleTimeString()
      : moment.toLocaleString([], {
        weekday: "short", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit"
      });
    el.setAttribute("title", el.getAttribute("datetime").replace("T", " ").replace("Z", " UTC"));
  });

  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var dirty = false;
  var saving = false;
  var submitting = false;

  function say(text) { if (status) { status.textContent = text; } }

  // data-save-state on the form: "saving" until every change so far is saved, then "saved"
  // (or "error"), so people and tests can tell a finished save from one in flight.
  function state(value) { form.setAttribute("data-save-state", value); }

  function save() {
    if (!dirty || submitting) { return; }
    state("saving");
    if (saving) { return; }  // the save in flight chains another when it ends
    saving = true;
    dirty = false;
    fetch(url, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // A sign-in page or an error page, not the save endpoint's answer: retrying won't help.
        state("error");
        say("Your answers could not be saved. Reload the page (you may have been signed out).");
        return;
      }
      return response.json().then(function (data) {
        if (response.ok) {
          say("Answers saved at " + new Date().toLocaleTimeString() + ".");
          if (!dirty) { state("saved"); }
        } else {
          state("error");
          say(data.error || "Your answers could not be saved.");
          if (data.location) { window.location.assign(data.location); }
        }
      });
    }).catch(function () {
      dirty = true;
      state("error");
      say("Not saved yet: no connection. Saving again shortly.");
    }).then(function () {
      saving = false;
      if (dirty && form.getAttribute("data-save-state") === "saving") { save(); }
    });
  }

  form.addEventListener("change", function () { dirty = true; save(); });
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });
  window.setInterval(save, 15000);

  var timer = document.getElementById("quiz-timer");
  if (!timer) { return; }
  var value = document.getElementById("quiz-timer-value");
  var alert = document.getElementById("quiz-timer-alert");
  // Count from the server's figure, not the device clock, which may be wrong.
  var end = Date.now() + 1000 * parseInt(timer.getAttribute("data-seconds-left"), 10);
  var warned = {};
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    value.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    [300, 60].forEach(function (mark) {
      if (left <= mark && !warned[mark] && left > 0) {
        warned[mark] = true;
        alert.textContent = (mark / 60) + " minute" + (mark > 60 ? "s" : "") + " left.";
      }
    });
    if (left === 0 && !submitting) {
      submitting = true;
      timer.classList.add("expired");
      form.submit();
    }
  }
  tick();
  window.setInterval(tick, 1000);
}());
