// Herald's own browser code: small, progressive (every page works without it).
(function () {
  "use strict";
  // The setup page guesses the time zone from the browser; the person confirms it.
  function guessZone() {
    var sel = document.querySelector("select[data-guess-zone]");
    if (!sel || sel.dataset.guessed) return;
    sel.dataset.guessed = "1";
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
    if (!zone) return;
    var found = Array.prototype.some.call(sel.options, function (o) { return o.value === zone; });
    if (!found) {
      var opt = document.createElement("option");
      opt.value = zone;
      opt.textContent = zone;
      sel.appendChild(opt);
    }
    sel.value = zone;
    var note = document.getElementById("zone-guess");
    if (note) note.textContent = "Guessed from your browser: " + zone + ". Change it if your brand lives elsewhere.";
  }
  document.addEventListener("DOMContentLoaded", guessZone);
  document.addEventListener("htmx:load", guessZone);
})();
