// Herald: the workspace settings: the workspace, members, invitations, API tokens and the audit log.
// Copy buttons for invitation links and new API tokens; the page works without it
// (the value is in a read-only field to select and copy by hand).
(function () {
  "use strict";
  function setUp(root) {
    // A link made on the server may name the site as the server saw it; the
    // browser knows the address people actually use.
    root.querySelectorAll("input[data-site-path]").forEach(function (input) {
      input.value = window.location.origin + input.dataset.sitePath;
    });
    root.querySelectorAll("button[data-copy]").forEach(function (btn) {
      if (btn.dataset.ready) return;
      btn.dataset.ready = "1";
      btn.hidden = false;
      btn.addEventListener("click", function () { copy(btn); });
    });
  }
  function say(btn, text) {
    var status = document.getElementById(btn.dataset.copy + "-status");
    if (status) status.textContent = text;
  }
  function copy(btn) {
    var input = document.getElementById(btn.dataset.copy);
    if (!input) return;
    input.select();
    var done = function () { say(btn, "Copied."); };
    var manual = function () { say(btn, "Select the text and copy it (Ctrl+C or ⌘C)."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, manual);
      return;
    }
    try {
      if (document.execCommand("copy")) { done(); return; }
    } catch (e) { /* fall through */ }
    manual();
  }
  // confirmName keeps a dangerous button disabled until the field inside
  // (x-init="read" x-on:input="read") holds the name in the form's
  // data-confirm: x-bind:disabled="differs".
  document.addEventListener("alpine:init", function () {
    window.Alpine.data("confirmName", function () {
      return {
        typed: "",
        name: "",
        init: function () { this.name = this.$el.dataset.confirm || ""; },
        read: function () { this.typed = this.$el.value; },
        get differs() { return this.typed.trim() !== this.name; }
      };
    });
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (ev) { setUp(ev.target || document); });
})();
