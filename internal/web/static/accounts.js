// Herald: the social accounts: connecting, status, posting schedules and pausing.
(function () {
  "use strict";
  // The page that leads to a platform's sign-in page follows its link at
  // once (a redirect answering a form may not leave Herald); without
  // script, the person follows it.
  function continueToPlatform() {
    var link = document.querySelector("a[data-acct-continue]");
    if (!link || link.dataset.followed) return;
    link.dataset.followed = "1";
    window.location.assign(link.href);
  }
  // After htmx swaps the schedule editor, keep the keyboard where it was:
  // on the new-time field of the day just changed, else the editor.
  var lastDay = "";
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var src = ev.detail && ev.detail.requestConfig && ev.detail.requestConfig.triggeringEvent;
    var el = src && src.submitter ? src.submitter : document.activeElement;
    var fs = el && el.closest ? el.closest("fieldset.acct-day") : null;
    lastDay = fs ? fs.id.replace(/^day-/, "") : "";
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!document.getElementById("schedule-editor")) return;
    var next = lastDay ? document.getElementById(lastDay + "-new") : null;
    if (next) next.focus();
  });
  document.addEventListener("DOMContentLoaded", continueToPlatform);
})();
