// Herald: the approvals queue and the comments on posts.
// Typing "@na" in a comment box shows the members whose handle starts
// with "na"; choosing one (click, or Enter on the focused button)
// completes the mention. Without this script the list stays hidden and
// mentions are typed in full.
(function () {
  "use strict";

  function wordAtCaret(area) {
    var upto = area.value.slice(0, area.selectionStart);
    var m = /(^|[^\w@.])@([\w.'-]*)$/.exec(upto);
    return m ? { word: m[2], start: upto.length - m[2].length } : null;
  }

  function update(area) {
    var list = area.form && area.form.querySelector("[data-mention-list]");
    if (!list) return;
    var at = wordAtCaret(area);
    var shown = 0;
    list.querySelectorAll("[data-handle]").forEach(function (b) {
      var ok = at !== null && b.dataset.handle.indexOf(at.word.toLowerCase()) === 0 && shown < 8;
      b.parentElement.hidden = !ok;
      if (ok) shown++;
    });
    list.hidden = shown === 0;
  }

  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("textarea[data-mentions]")) update(e.target);
  });

  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-mention-list] [data-handle]");
    if (!b) return;
    var area = b.closest("form").querySelector("textarea[data-mentions]");
    var at = area && wordAtCaret(area);
    if (!at) return;
    var before = area.value.slice(0, at.start);
    var after = area.value.slice(area.selectionStart);
    area.value = before + b.dataset.handle + " " + after;
    var caret = before.length + b.dataset.handle.length + 1;
    area.focus();
    area.setSelectionRange(caret, caret);
    b.closest("[data-mention-list]").hidden = true;
  });
})();
