// Herald: snippets and hashtag groups in the composer. Typing "/" at the
// start of a word lists the workspace's snippets, "#" its hashtag groups
// and tags; typing more narrows the list, the arrows move in it, Enter or
// a click inserts at the caret, Escape closes it. The text changes like
// typing would, so the live counters show what is left on each platform.
(function () {
  "use strict";

  var MAX = 8;

  function start() {
    var form = document.getElementById("composer");
    var src = document.getElementById("kit-source");
    if (!form || !src || form.dataset.kits) return;
    form.dataset.kits = "1";

    var data = null, loading = null;
    function load() {
      if (!loading) {
        loading = fetch(src.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { snippets: [], hashtags: [] }; })
          .catch(function () { return { snippets: [], hashtags: [] }; })
          .then(function (d) { data = d; return d; });
      }
      return loading;
    }

    var list = document.createElement("ul");
    list.id = "kit-list";
    list.className = "kit-list card";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var state = null; // { ta, start, items, index }
    var chose = null; // the key that just chose an item

    function editable(el) {
      return el && el.tagName === "TEXTAREA" && (el.classList.contains("part-text") || /^v_text_/.test(el.name || ""));
    }

    // trigger finds "/word" or "#word" just before the caret, at a word's start.
    function trigger(ta) {
      var caret = ta.selectionStart;
      if (caret === null || caret !== ta.selectionEnd) return null;
      var before = ta.value.slice(0, caret);
      var m = /(^|\s)([\/#])([^\s\/#]{0,40})$/.exec(before);
      if (!m) return null;
      return { start: caret - m[2].length - m[3].length, kind: m[2], query: m[3].toLowerCase() };
    }

    function matches(t) {
      var pool = t.kind === "/" ? data.snippets : data.hashtags;
      return pool.filter(function (c) {
        return t.query === "" || c.name.toLowerCase().indexOf(t.query) >= 0 || c.text.toLowerCase().indexOf(t.query) >= 0;
      }).slice(0, MAX);
    }

    function close() {
      if (!state) return;
      state.ta.removeAttribute("aria-activedescendant");
      state.ta.setAttribute("aria-expanded", "false");
      list.hidden = true;
      state = null;
    }

    function render() {
      list.innerHTML = "";
      state.items.forEach(function (c, i) {
        var li = document.createElement("li");
        li.id = "kit-option-" + i;
        li.setAttribute("role", "option");
        li.dataset.index = String(i);
        li.setAttribute("aria-selected", i === state.index ? "true" : "false");
        var name = document.createElement("strong");
        name.textContent = c.name;
        li.appendChild(name);
        if (c.kind !== "tag") {
          var text = document.createElement("span");
          text.className = "small muted";
          text.textContent = " " + (c.text.length > 80 ? c.text.slice(0, 79) + "…" : c.text).replace(/\s+/g, " ");
          li.appendChild(text);
        }
        list.appendChild(li);
      });
      state.ta.setAttribute("aria-activedescendant", "kit-option-" + state.index);
    }

    function open(ta, t) {
      var items = matches(t);
      if (!items.length) { close(); return; }
      if (!state || state.ta !== ta) {
        close();
        ta.insertAdjacentElement("afterend", list);
        ta.setAttribute("aria-controls", "kit-list");
        ta.setAttribute("aria-autocomplete", "list");
        list.setAttribute("aria-label", t.kind === "/" ? "Snippets" : "Hashtags");
      }
      state = { ta: ta, start: t.start, items: items, index: 0 };
      ta.setAttribute("aria-expanded", "true");
      list.hidden = false;
      render();
    }

    function choose(i) {
      if (!state || !state.items[i]) return;
      var ta = state.ta, c = state.items[i];
      var caret = ta.selectionStart;
      var text = c.text;
      var after = ta.value.slice(caret);
      if (!/^\s/.test(after)) text += " ";
      ta.value = ta.value.slice(0, state.start) + text + after;
      var at = state.start + text.length;
      close();
      ta.focus();
      ta.setSelectionRange(at, at);
      ta.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function check(ta) {
      var t = trigger(ta);
      if (!t) { close(); return; }
      if (data) open(ta, t);
      else load().then(function () { if (document.activeElement === ta) check(ta); });
    }

    form.addEventListener("input", function (e) {
      if (editable(e.target)) check(e.target);
    });
    form.addEventListener("keydown", function (e) {
      if (!state || e.target !== state.ta) return;
      var n = state.items.length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        state.index = (state.index + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        render();
      } else if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        chose = e.key;
        choose(state.index);
      } else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        close();
      }
    });
    // The key that chose inserts nothing itself, even where its character
    // arrives apart from its keydown.
    form.addEventListener("beforeinput", function (e) {
      if (chose && (e.inputType === "insertLineBreak" || e.inputType === "insertParagraph" || e.data === "\t")) e.preventDefault();
    });
    form.addEventListener("keypress", function (e) {
      if (chose && (e.key === chose || (chose === "Enter" && e.key === "\r"))) e.preventDefault();
    });
    form.addEventListener("keyup", function () { chose = null; });
    form.addEventListener("focusout", function (e) {
      if (state && e.target === state.ta && !list.contains(e.relatedTarget)) close();
    });
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    list.addEventListener("click", function (e) {
      var li = e.target.closest("[role=option]");
      if (li) choose(Number(li.dataset.index));
    });
  }

  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:load", start);
})();
