// Herald: the live inbox. On the inbox and on an item's page, listens to
// the workspace's inbox events (server-sent events from
// /w/{ws}/inbox/events) and reloads the parts of the page that show items:
// the stream (keeping ticked boxes and the current item), or the item,
// its state and assignee and the author's earlier items (never the reply
// being written). Without script the page is as fresh as its last load.
(function () {
  "use strict";

  var REFRESH_DELAY = 250; // ms: a burst of events makes one reload

  function start() {
    var status = document.getElementById("inbox-live");
    if (!status || status.dataset.started || !window.EventSource) return;
    status.dataset.started = "1";
    var list = document.getElementById("inbox-list");
    var item = document.getElementById("inbox-item");
    var itemID = item ? parseInt(item.dataset.item, 10) : 0;
    var timer = 0;
    var busy = false;
    var again = false;

    function say(text) { status.textContent = text; }

    function fetchPage() {
      return fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (res) {
          if (!res.ok) throw new Error("status " + res.status);
          return res.text();
        })
        .then(function (html) { return new DOMParser().parseFromString(html, "text/html"); });
    }

    function swap(doc, id) {
      var mine = document.getElementById(id);
      var theirs = doc.getElementById(id);
      if (!mine || !theirs) return;
      mine.innerHTML = theirs.innerHTML;
      mine.hidden = theirs.hidden;
    }

    function refreshList(doc) {
      var ticked = {};
      list.querySelectorAll("input[type=checkbox]:checked").forEach(function (b) { ticked[b.value] = true; });
      var cur = list.querySelector(".inbox-item.current");
      var curID = cur ? cur.dataset.item : "";
      swap(doc, "inbox-list");
      swap(doc, "inbox-empty");
      swap(doc, "inbox-more");
      list.querySelectorAll("input[type=checkbox]").forEach(function (b) { b.checked = !!ticked[b.value]; });
      if (curID) {
        var back = list.querySelector('.inbox-item[data-item="' + curID + '"]');
        if (back) back.classList.add("current");
      }
    }

    function refreshItem(doc) {
      swap(doc, "inbox-item");
      swap(doc, "state-form");
      swap(doc, "inbox-earlier");
      var mine = document.getElementById("assign-to");
      var theirs = doc.getElementById("assign-to");
      if (mine && theirs && document.activeElement !== mine) mine.value = theirs.value;
    }

    function refresh() {
      timer = 0;
      if (busy) { again = true; return; }
      busy = true;
      fetchPage().then(function (doc) {
        if (list) refreshList(doc); else if (item) refreshItem(doc);
        say("Updated live at " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ".");
      }).catch(function () {
        say("Live updates could not reload this page; reload it to see the latest.");
      }).then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
    }

    function later() {
      if (!timer) timer = setTimeout(refresh, REFRESH_DELAY);
    }

    var source = new EventSource(status.dataset.events);
    source.addEventListener("open", function () { say("Live: new items and changes appear here by themselves."); });
    source.addEventListener("inbox", function (e) {
      var ev;
      try { ev = JSON.parse(e.data); } catch (err) { return; }
      if (list || ev.kind === "resync" || ev.kind === "added" || ev.item === itemID) later();
    });
    source.addEventListener("bye", function () {
      source.close();
      say("Live updates stopped: Herald is restarting. Reload the page in a moment.");
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        say("Live updates stopped. Reload the page to start them again.");
      } else {
        say("Live updates paused: reconnecting…");
      }
    });
    // A reconnection may have missed events: reload once it is back.
    var opened = false;
    source.addEventListener("open", function () {
      if (opened) later();
      opened = true;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSettle", start);
})();
