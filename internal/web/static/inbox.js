// Herald: keyboard shortcuts of the inbox. In the stream, j and k move
// between items, Enter opens one, x ticks it and e marks it done (through
// the bulk form, the same request its Mark done button sends). On an
// item's page, e marks it done and r goes to the reply. ? shows the help.
// Nothing here is needed: every action is a form or a link without script.
(function () {
  "use strict";

  function typing(e) {
    var t = e.target;
    return e.ctrlKey || e.metaKey || e.altKey ||
      (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)));
  }

  function start() {
    var help = document.getElementById("inbox-help");
    if (!help || help.dataset.keys) return;
    help.dataset.keys = "1";
    var opener = document.getElementById("inbox-help-open");
    if (opener) opener.addEventListener("click", function () { help.showModal(); });
    var list = document.getElementById("inbox-list");
    var reply = document.getElementById("reply-text");
    var current = -1;

    function items() { return list ? list.querySelectorAll(".inbox-item") : []; }
    function move(by) {
      var all = items();
      if (!all.length) return;
      if (current >= 0 && all[current]) all[current].classList.remove("current");
      current = Math.max(0, Math.min(all.length - 1, current + by));
      all[current].classList.add("current");
      all[current].focus();
      all[current].scrollIntoView({ block: "nearest" });
    }
    function selected() { var all = items(); return current >= 0 ? all[current] : null; }

    if (reply) {
      var count = document.getElementById("reply-count");
      var limit = parseInt(reply.dataset.limit, 10) || 0;
      var words = count ? count.textContent : "";
      reply.addEventListener("input", function () {
        if (!count || !limit) return;
        var n = Array.from(reply.value.trim()).length;
        count.textContent = n + " / " + limit + " · " + words.trim();
        count.classList.toggle("over", n > limit);
      });
    }

    document.addEventListener("keydown", function (e) {
      if (typing(e) || help.open && e.key !== "?") return;
      var it;
      switch (e.key) {
        case "?":
          e.preventDefault();
          if (help.open) help.close(); else help.showModal();
          return;
        case "j": e.preventDefault(); move(1); return;
        case "k": e.preventDefault(); move(-1); return;
        case "Enter":
          it = selected();
          if (it) { e.preventDefault(); window.location.assign(it.dataset.href); }
          return;
        case "x":
          it = selected();
          var box = it && it.querySelector("input[type=checkbox]");
          if (box) { e.preventDefault(); box.checked = !box.checked; }
          return;
        case "e":
          var done = document.getElementById("mark-done");
          if (done) { e.preventDefault(); done.click(); return; }
          it = selected();
          var bulk = document.getElementById("bulk-done");
          var pick = it && it.querySelector("input[type=checkbox]");
          if (pick && bulk) {
            e.preventDefault();
            items().forEach(function (x) {
              var b = x.querySelector("input[type=checkbox]");
              if (b) b.checked = false;
            });
            pick.checked = true;
            bulk.click();
          }
          return;
        case "a":
          // Assign: the item's own picker, or in the list the bulk one
          // with only the item at hand ticked.
          var to = document.getElementById("assign-to");
          if (!to) {
            it = selected();
            var own = it && it.querySelector("input[type=checkbox]");
            to = own && document.getElementById("bulk-assignee");
            if (to) {
              items().forEach(function (x) {
                var b = x.querySelector("input[type=checkbox]");
                if (b) b.checked = b === own;
              });
            }
          }
          if (to) { e.preventDefault(); to.focus(); }
          return;
        case "r":
          // Focused when the key is let go, so the r itself is not typed.
          if (reply) {
            e.preventDefault();
            document.addEventListener("keyup", function focus() {
              document.removeEventListener("keyup", focus);
              reply.focus();
            });
          }
          return;
      }
    });
  }

  // The saved-reply picker: typing / and part of a name in the reply box
  // lists the saved replies (already filled in for this item by the
  // server); arrows move, Enter or Tab or a click inserts, Escape closes.
  function savedPicker() {
    var box = document.getElementById("reply-text");
    var list = document.getElementById("saved-picker");
    if (!box || !list || list.dataset.ready) return;
    list.dataset.ready = "1";
    var options = Array.from(list.querySelectorAll("li"));
    var at = -1;

    function query() {
      var before = box.value.slice(0, box.selectionStart);
      var m = /(^|\s)\/([^\s\/]*)$/.exec(before);
      return m ? { q: m[2], start: before.length - m[2].length - 1 } : null;
    }
    function shown() { return options.filter(function (o) { return !o.hidden; }); }
    function mark(i) {
      var all = shown();
      options.forEach(function (o) { o.classList.remove("current"); o.removeAttribute("aria-selected"); });
      at = all.length ? (i + all.length) % all.length : -1;
      if (at >= 0) {
        all[at].classList.add("current");
        all[at].setAttribute("aria-selected", "true");
        all[at].scrollIntoView({ block: "nearest" });
      }
    }
    function close() { list.hidden = true; at = -1; }
    function update() {
      var found = query();
      if (!found) { close(); return; }
      var q = found.q.toLowerCase();
      options.forEach(function (o) {
        o.hidden = q !== "" && o.dataset.name.toLowerCase().indexOf(q) < 0;
      });
      list.hidden = shown().length === 0;
      mark(0);
    }
    function choose(o) {
      var found = query();
      if (!found || !o) return;
      var end = box.selectionStart;
      box.value = box.value.slice(0, found.start) + o.dataset.text + box.value.slice(end);
      var caret = found.start + o.dataset.text.length;
      box.setSelectionRange(caret, caret);
      close();
      box.focus();
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    var swallow = false;
    box.addEventListener("beforeinput", function (e) {
      if (swallow && /^insert(LineBreak|Paragraph|Text)$/.test(e.inputType) && /^[\r\n\t]?$/.test(e.data || "")) e.preventDefault();
    });
    box.addEventListener("keyup", function () { swallow = false; });
    box.addEventListener("input", update);
    box.addEventListener("click", update);
    box.addEventListener("blur", function () { setTimeout(close, 150); });
    box.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      switch (e.key) {
        case "ArrowDown": e.preventDefault(); mark(at + 1); return;
        case "ArrowUp": e.preventDefault(); mark(at - 1); return;
        case "Enter":
        case "Tab":
          // The key chose a reply: it must not also type a line break.
          e.preventDefault(); swallow = true; choose(shown()[at]); return;
        case "Escape": e.preventDefault(); close(); return;
      }
    });
    list.addEventListener("mousedown", function (e) {
      var o = e.target.closest("li");
      if (o) { e.preventDefault(); choose(o); }
    });
  }

  function startAll() { start(); savedPicker(); }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
