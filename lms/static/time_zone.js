// Tells the server the browser's time zone, so times are shown in it before the person
// chooses one on the settings page: a cookie for every visitor, and once per account a POST
// that stores it (only while the account has no zone; a chosen zone is never overridden).
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone || zone.length > 64) {
    return;
  }
  var cookie = "lms_tz=" + encodeURIComponent(zone);
  if (document.cookie.split("; ").indexOf(cookie) === -1) {
    document.cookie = cookie + "; path=/; max-age=31536000; samesite=lax";
  }
  var body = document.body;
  var url = body.getAttribute("data-save-zone");
  if (!url || !window.fetch) {
    return;
  }
  var data = new FormData();
  data.append("time_zone", zone);
  data.append("csrf_token", body.getAttribute("data-csrf") || "");
  // The next page shows the stored zone (this one is not reloaded under the reader's eyes).
  window.fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true }).catch(function () {});
})();
