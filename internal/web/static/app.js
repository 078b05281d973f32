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

  // The header's menu button (phones): it opens and closes the sections
  // and menus; Escape closes them and gives the focus back to it.
  function menu() {
    var top = document.getElementById("top");
    var btn = document.getElementById("menu-toggle");
    if (!top || !btn || btn.dataset.ready) return;
    btn.dataset.ready = "1";
    function set(open) {
      top.classList.toggle("open", open);
      btn.setAttribute("aria-expanded", open ? "true" : "false");
    }
    btn.addEventListener("click", function () { set(!top.classList.contains("open")); });
    top.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && top.classList.contains("open")) {
        set(false);
        btn.focus();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", menu);
  document.addEventListener("htmx:load", guessZone);

  // Alpine's CSP build evaluates no code from attributes: they name the
  // properties and methods of the components registered here and in the
  // section scripts (this file loads before Alpine, which fires alpine:init).
  document.addEventListener("alpine:init", function () {
    // textField follows a text field inside it (x-init="read" and
    // x-on:input="read" on the field): blank and filled say whether the
    // person has written something, e.g. to disable a button
    // (x-bind:disabled="blank") or show a warning (:hidden="filled").
    window.Alpine.data("textField", function () {
      return {
        text: "",
        read: function () { this.text = this.$el.value; },
        get blank() { return this.text.trim() === ""; },
        get filled() { return this.text.trim() !== ""; }
      };
    });
  });
})();
