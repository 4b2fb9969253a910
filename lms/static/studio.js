// The studio's course editor: a live preview of a module's Markdown, and a confirmation
// before deleting a module. The pages work without it (the "Preview" button re-renders the
// form on the server); the HTML shown is what the server's sanitizer returned.
(function () {
  "use strict";

  var body = document.querySelector("textarea[data-preview-url]");
  var preview = document.getElementById("module-preview");
  if (body && preview) {
    var url = body.getAttribute("data-preview-url");
    var form = body.form;
    var tokenField = form ? form.querySelector("input[name=csrf_token]") : null;
    var timer = null;
    var latest = 0;

    var show = function (html, failed) {
      preview.innerHTML = html;  // the server's sanitized HTML (render_markdown + nh3)
      preview.classList.toggle("preview-failed", !!failed);
    };

    var refresh = function () {
      var request = ++latest;  // only the newest answer is shown
      var data = new URLSearchParams();
      data.append("body", body.value);
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: {
          "Accept": "application/json",
          "X-CSRFToken": tokenField ? tokenField.value : ""
        }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) { throw new Error("not JSON"); }
        return response.json();
      }).then(function (answer) {
        if (request !== latest) { return; }
        if (typeof answer.html === "string") {
          show(answer.html, false);
        } else {
          preview.textContent = answer.error || "The preview is not available.";
          preview.classList.add("preview-failed");
        }
      }).catch(function () {
        if (request !== latest) { return; }
        preview.textContent = "The preview is not available (reload the page if you were signed out).";
        preview.classList.add("preview-failed");
      });
    };

    // Debounced: one request once typing pauses, not one per key.
    body.addEventListener("input", function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(refresh, 400);
    });
    refresh();
  }

  // Forms that destroy something ask first; without JavaScript they simply submit.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (f) {
    f.addEventListener("submit", function (event) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
}());
