// Herald: the composer: drafting, previews per platform, validation and scheduling.
// The form works without this file (its buttons post to the server); this
// adds thread editing in place, uploads by drop and paste, picking from the
// library, autosave and the browser's own time zone.
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("composer");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";

    var parts = document.getElementById("parts");
    var template = document.getElementById("part-template");
    var statusEl = document.getElementById("autosave-status");
    var active = null; // the part last typed in: library picks go there
    var dirty = false, timer = null, inflight = false, stopped = false, submitting = false, pendingSubmitter = null;

    function allParts() { return Array.prototype.slice.call(parts.querySelectorAll(":scope > fieldset.part")); }
    function changed() { form.dispatchEvent(new CustomEvent("compose:changed", { bubbles: true })); later(); }
    function setAttr(el, name, value) { if (el) el.setAttribute(name, value); }

    // renumber gives every part the names, ids and buttons of its place.
    function renumber() {
      var list = allParts();
      list.forEach(function (p, i) {
        var last = i === list.length - 1;
        p.dataset.part = String(i);
        var legend = p.querySelector(".part-title");
        if (legend) legend.textContent = i === 0 ? "Post" : "Thread part " + (i + 1);
        var label = p.querySelector(".part-label");
        if (label) { label.textContent = i === 0 ? "Text of the post" : "Text of thread part " + (i + 1); label.htmlFor = "text-" + i; }
        var ta = p.querySelector(".part-text");
        if (ta) { ta.id = "text-" + i; ta.setAttribute("aria-describedby", "part-check-" + i); ta.placeholder = i === 0 ? "What do you want to say?" : "Continue the thread…"; }
        setAttr(p.querySelector(".part-split"), "name", "split_" + i);
        var check = p.querySelector(".part-check");
        if (check) check.id = "part-check-" + i;
        var file = p.querySelector(".part-file");
        if (file) { file.id = "file-" + i; file.name = "file_" + i; }
        var fl = p.querySelector(".file-label");
        if (fl) fl.htmlFor = "file-" + i;
        p.querySelectorAll("[data-part-op]").forEach(function (b) {
          var op = b.dataset.partOp;
          b.value = op + ":" + i;
          if (op === "up") b.hidden = i === 0;
          if (op === "down") b.hidden = last;
          if (op === "remove") b.hidden = i === 0;
          var sr = b.querySelector(".sr-only");
          if (sr) sr.textContent = " part " + (i + 1);
        });
        p.querySelectorAll(".media-item").forEach(function (li) {
          var id = li.dataset.media;
          var alt = li.querySelector("textarea");
          var al = li.querySelector("label");
          if (alt) alt.id = "alt-" + i + "-" + id;
          if (al) al.htmlFor = "alt-" + i + "-" + id;
          var rm = li.querySelector("[data-media-remove]");
          if (rm) rm.value = "unmedia:" + i + ":" + id;
        });
      });
    }

    function newPart(text) {
      var node = template.content.firstElementChild.cloneNode(true);
      node.querySelector(".part-text").value = text || "";
      node.querySelector(".part-media").value = "";
      node.querySelector(".media-list").innerHTML = "";
      node.querySelector(".part-check").innerHTML = "";
      return node;
    }

    function mediaIDs(part) {
      return part.querySelector(".part-media").value.split(",").filter(function (s) { return s !== ""; });
    }
    function setMediaIDs(part, ids) { part.querySelector(".part-media").value = ids.join(","); }

    // Thread editing in place; the same buttons post to the server without JavaScript.
    form.addEventListener("click", function (e) {
      var b = e.target.closest("[data-part-op]");
      var rm = e.target.closest("[data-media-remove]");
      if (rm) {
        e.preventDefault();
        var li = rm.closest(".media-item"), part = rm.closest("fieldset.part");
        setMediaIDs(part, mediaIDs(part).filter(function (id) { return id !== li.dataset.media; }));
        li.remove();
        changed();
        return;
      }
      if (!b) return;
      e.preventDefault();
      var op = b.dataset.partOp;
      if (op === "add") {
        var node = newPart("");
        parts.appendChild(node);
        renumber();
        node.querySelector(".part-text").focus();
        changed();
        return;
      }
      var p = b.closest("fieldset.part");
      var ta = p.querySelector(".part-text");
      if (op === "split") {
        var at = ta.selectionStart;
        var text = ta.value;
        if (at === null || at <= 0 || at >= text.length) {
          at = text.length / 2 | 0;
          var sp = text.lastIndexOf(" ", at);
          if (sp > 0) at = sp;
        }
        ta.value = text.slice(0, at).replace(/\s+$/, "");
        var next = newPart(text.slice(at).replace(/^\s+/, ""));
        p.after(next);
        renumber();
        var nt = next.querySelector(".part-text");
        nt.focus();
        nt.setSelectionRange(0, 0);
      } else if (op === "up" && p.previousElementSibling) {
        p.previousElementSibling.before(p);
        renumber();
        b.hidden ? ta.focus() : b.focus();
      } else if (op === "down" && p.nextElementSibling) {
        p.nextElementSibling.after(p);
        renumber();
        b.hidden ? ta.focus() : b.focus();
      } else if (op === "remove") {
        var prev = p.previousElementSibling;
        p.remove();
        renumber();
        if (prev) prev.querySelector(".part-text").focus();
      }
      changed();
    });

    form.addEventListener("focusin", function (e) {
      var p = e.target.closest && e.target.closest("fieldset.part");
      if (p) active = p;
    });

    // Uploads: chosen, dropped or pasted files go to the library and the part.
    function insertItem(part, html) {
      var t = document.createElement("template");
      t.innerHTML = html.trim();
      var li = t.content.firstElementChild;
      if (!li) return;
      var id = li.dataset.media;
      var ids = mediaIDs(part);
      if (ids.indexOf(id) >= 0) return;
      ids.push(id);
      setMediaIDs(part, ids);
      part.querySelector(".media-list").appendChild(li);
      renumber();
      changed();
    }
    function uploadError(part, msg) {
      var el = part.querySelector(".upload-error");
      if (el) el.textContent = msg;
    }
    function upload(part, file) {
      var fd = new FormData();
      fd.append("file", file, file.name || "pasted-image.png");
      uploadError(part, "");
      var drop = part.querySelector("[data-dropzone]");
      if (drop) drop.classList.add("busy");
      return fetch(form.dataset.upload + "?part=" + part.dataset.part, { method: "POST", body: fd, credentials: "same-origin" })
        .then(function (r) {
          return r.text().then(function (html) {
            if (r.ok) insertItem(part, html);
            else {
              var t = document.createElement("div");
              t.innerHTML = html;
              uploadError(part, t.textContent.trim() || "The upload failed (" + r.status + ").");
            }
          });
        })
        .catch(function () { uploadError(part, "The upload failed: the server could not be reached."); })
        .finally(function () { if (drop) drop.classList.remove("busy"); });
    }
    function uploadAll(part, files) {
      Array.prototype.reduce.call(files, function (chain, f) {
        return chain.then(function () { return upload(part, f); });
      }, Promise.resolve());
    }
    form.addEventListener("change", function (e) {
      if (e.target.classList && e.target.classList.contains("part-file")) {
        var part = e.target.closest("fieldset.part");
        var files = Array.prototype.slice.call(e.target.files);
        e.target.value = "";
        uploadAll(part, files);
        return;
      }
      if (e.target.dataset && e.target.dataset.account) {
        var tab = document.querySelector('[data-variant="' + e.target.dataset.account + '"]');
        if (tab) tab.hidden = !e.target.checked;
        return;
      }
      if (e.target.dataset && e.target.dataset.pick && e.target.checked) {
        var box = e.target;
        var target = active || allParts()[0];
        fetch(form.dataset.item + box.dataset.pick + "?part=" + target.dataset.part, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) { insertItem(target, html); })
          .catch(function () { uploadError(target, "That file could not be added."); })
          .finally(function () { box.checked = false; });
      }
    }, true);
    form.addEventListener("dragover", function (e) {
      var p = e.target.closest && e.target.closest("fieldset.part");
      if (!p || !e.dataTransfer || Array.prototype.indexOf.call(e.dataTransfer.types, "Files") < 0) return;
      e.preventDefault();
      p.classList.add("dragging");
    });
    form.addEventListener("dragleave", function (e) {
      var p = e.target.closest && e.target.closest("fieldset.part");
      if (p && !p.contains(e.relatedTarget)) p.classList.remove("dragging");
    });
    form.addEventListener("drop", function (e) {
      var p = e.target.closest && e.target.closest("fieldset.part");
      if (!p || !e.dataTransfer || !e.dataTransfer.files.length) return;
      e.preventDefault();
      p.classList.remove("dragging");
      uploadAll(p, e.dataTransfer.files);
    });
    form.addEventListener("paste", function (e) {
      var p = e.target.closest && e.target.closest("fieldset.part");
      if (!p || !e.clipboardData) return;
      var files = Array.prototype.filter.call(e.clipboardData.files || [], function (f) { return /^image\//.test(f.type); });
      if (!files.length) return;
      e.preventDefault();
      uploadAll(p, files);
    });

    // Autosave: the draft is saved a moment after typing stops.
    function say(msg) { if (statusEl) statusEl.textContent = msg; }
    function later(e) {
      if (e && e.target && (e.target.type === "file" || e.target.name === "add_media" || e.target.id === "library-q")) return;
      if (stopped) return;
      dirty = true;
      // Posts on their way out are saved by their buttons only.
      if (!form.dataset.autosave) return;
      clearTimeout(timer);
      timer = setTimeout(save, 1500);
    }
    function save() {
      if (stopped || submitting || !form.dataset.autosave) return;
      if (inflight) { timer = setTimeout(save, 500); return; }
      var fd = new FormData(form);
      Array.from(fd.keys()).forEach(function (k) {
        if (/^file_/.test(k) || k === "add_media" || k === "library_q" || k === "action" || k === "op") fd.delete(k);
      });
      dirty = false;
      inflight = true;
      say("Saving…");
      fetch(form.dataset.autosave, { method: "POST", body: fd, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          var j = res.j;
          if (j.skipped) { say(""); return; }
          if (!res.ok) {
            dirty = true;
            say(j.error || "Not saved.");
            if (j.conflict) { stopped = true; form.classList.add("conflict"); }
            return;
          }
          document.getElementById("post-id").value = j.id;
          document.getElementById("post-version").value = j.version;
          say(j.saved);
          if (j.edit_url && location.pathname !== j.edit_url) history.replaceState(null, "", j.edit_url);
        })
        .catch(function () { dirty = true; say("Not saved: the server could not be reached. Your text is still here."); })
        .finally(function () {
          inflight = false;
          if (pendingSubmitter) {
            var s = pendingSubmitter;
            pendingSubmitter = null;
            form.requestSubmit(s);
          }
        });
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function (e) {
      if (inflight) {
        e.preventDefault();
        pendingSubmitter = e.submitter || null;
        return;
      }
      clearTimeout(timer);
      submitting = true;
    });
    window.addEventListener("beforeunload", function (e) {
      if ((dirty || inflight) && !submitting && !stopped) {
        e.preventDefault();
        e.returnValue = "";
      }
    });
    window.addEventListener("pageshow", function () { submitting = false; });

    // The browser's zone, when it differs from the workspace's.
    function zones() {
      var z = "";
      try { z = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (err) { return; }
      if (!z || z === form.dataset.zone) return;
      var el = document.getElementById("browser-zone");
      if (el) el.textContent = "Your browser is in " + z + ".";
      document.querySelectorAll("[data-instant]").forEach(function (s) {
        if (!s.dataset.instant) return;
        var d = new Date(s.dataset.instant);
        if (isNaN(d)) return;
        s.textContent = " (" + d.toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }) + " where you are)";
      });
    }
    zones();
    document.body.addEventListener("htmx:afterSettle", zones);
    renumber();
  }

  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:load", start);
})();

// Best times: a suggested time fills the date and time field in place
// (the live checks and autosave see it as typed). Without this, the
// suggestion's button posts the form and the composer comes back with the
// time filled.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-best-at]") : null;
    var field = document.getElementById("at");
    if (!btn || !field) return;
    ev.preventDefault();
    field.value = btn.dataset.bestAt;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
    document.querySelectorAll("button[data-best-at]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === btn ? "true" : "false");
    });
  });
})();

// The brand voice rules in the composer: a suggested replacement is a
// one-click fix, and while a rule that blocks is broken (the server's
// #voice-blocked says why) the buttons that send the post on are disabled.
(function () {
  "use strict";
  var onward = ["schedule", "add-queue", "publish-now", "submit-approval"];

  // replaceWord replaces from as a whole word, whatever its case, as the
  // server matched it.
  function replaceWord(text, from, to) {
    var esc = from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    var re = new RegExp("(^|[^\\p{L}\\p{N}\\p{Mn}_])(" + esc + ")(?![\\p{L}\\p{N}\\p{Mn}_])", "giu");
    return text.replace(re, function (m, before) { return before + to; });
  }

  function syncBlocked() {
    var note = document.getElementById("voice-blocked");
    var blocked = !!(note && note.dataset.blocked);
    onward.forEach(function (id) {
      var b = document.getElementById(id);
      if (!b) return;
      if (blocked) {
        if (!b.disabled) b.dataset.voiceDisabled = "1";
        b.disabled = true;
        b.setAttribute("aria-describedby", "voice-blocked");
      } else if (b.dataset.voiceDisabled) {
        delete b.dataset.voiceDisabled;
        b.disabled = false;
        b.removeAttribute("aria-describedby");
      }
    });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-voice-fix]") : null;
    if (!btn) return;
    var field = document.getElementById(btn.dataset.voiceFix);
    if (!field) return;
    field.value = replaceWord(field.value, btn.dataset.from, btn.dataset.to);
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });
  document.addEventListener("DOMContentLoaded", syncBlocked);
  document.addEventListener("htmx:afterSettle", syncBlocked);
})();
