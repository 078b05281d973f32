// Calendar: the viewer's time zone (on every page), then, on the calendar
// page only, drag and drop to move posts, arrow keys between days, the
// entries' menus and the week opening at the working day.
(function () {
  "use strict";

  var COOKIE = "herald_tz";

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function zoneCookie() {
    var m = document.cookie.match(/(?:^|;\s*)herald_tz=([^;]*)/);
    if (!m) return "";
    try { return decodeURIComponent(m[1]); } catch (e) { return ""; }
  }

  // The server shows times in the zone this cookie names (it checks the
  // name and falls back on the workspace's zone).
  function rememberZone() {
    var zone = browserZone();
    if (!zone) return;
    if (zoneCookie() !== zone) {
      document.cookie = COOKIE + "=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
    // A calendar drawn before the server knew the zone is drawn again,
    // once, in the viewer's zone.
    var cal = document.getElementById("calendar");
    if (!cal || !cal.dataset.tz || cal.dataset.tz === zone || zoneCookie() !== zone) return;
    try {
      if (sessionStorage.getItem("herald_tz_reloaded") === zone) return;
      sessionStorage.setItem("herald_tz_reloaded", zone);
    } catch (e) { return; }
    location.reload();
  }

  function say(text) {
    var box = document.getElementById("messages");
    if (!box) return;
    box.textContent = "";
    var div = document.createElement("div");
    div.className = "alert";
    div.setAttribute("role", "alert");
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = text;
    p.appendChild(strong);
    div.appendChild(p);
    box.appendChild(div);
    div.scrollIntoView({ block: "nearest" });
  }

  // move asks the server to move entry to date and time (in the page's
  // zone), with the version the page showed; the page is then reloaded.
  function move(cal, entry, date, time) {
    var body = new URLSearchParams();
    body.set("post", entry.dataset.post);
    body.set("version", entry.dataset.version);
    (entry.dataset.targets || "").split(" ").forEach(function (id) { if (id) body.append("target", id); });
    body.set("date", date);
    body.set("time", time);
    body.set("tz", cal.dataset.tz);
    body.set("back", cal.dataset.back || "");
    entry.classList.add("htmx-request");
    fetch(cal.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (res) {
      return res.json().then(function (answer) { return { ok: res.ok && answer.ok, answer: answer }; });
    }).then(function (r) {
      if (r.ok) {
        location.reload();
        return;
      }
      entry.classList.remove("htmx-request");
      say(r.answer.message || "The post could not be moved.");
    }).catch(function () {
      entry.classList.remove("htmx-request");
      say("The move could not be sent: check your connection, reload the calendar and try again. Nothing was moved.");
    });
  }

  function dropZone(el) {
    return el && el.closest ? el.closest("[data-drop]") : null;
  }

  function setupDrag(cal) {
    var dragged = null;
    var over = null;
    function mark(zone) {
      if (over === zone) return;
      if (over) over.classList.remove("drop-over");
      over = zone;
      if (zone) zone.classList.add("drop-over");
    }
    cal.addEventListener("dragstart", function (ev) {
      var entry = ev.target.closest ? ev.target.closest(".cal-entry.movable") : null;
      if (!entry) return;
      dragged = entry;
      entry.classList.add("dragging");
      ev.dataTransfer.effectAllowed = "move";
      ev.dataTransfer.setData("text/plain", entry.id);
    });
    cal.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
      mark(null);
    });
    cal.addEventListener("dragover", function (ev) {
      var zone = dropZone(ev.target);
      if (!zone || !dragged) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "move";
      mark(zone);
    });
    cal.addEventListener("dragleave", function (ev) {
      if (over && !over.contains(ev.relatedTarget)) mark(null);
    });
    cal.addEventListener("drop", function (ev) {
      var zone = dropZone(ev.target);
      if (!zone || !dragged) return;
      ev.preventDefault();
      var entry = dragged;
      entry.classList.remove("dragging");
      dragged = null;
      mark(null);
      var clock = entry.dataset.clock || "";
      var time = clock;
      if (zone.dataset.drop === "hour" && zone.dataset.hour) {
        time = zone.dataset.hour.slice(0, 3) + clock.slice(3);
      }
      var date = zone.dataset.date;
      if (date === entry.dataset.date && time === clock) return;
      move(cal, entry, date, time);
    });
  }

  // Arrow keys move the focus between days: left and right a day, up and
  // down a week in the month (a day in the list).
  function setupKeys(cal) {
    var view = cal.dataset.view;
    cal.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      var t = ev.target;
      if (!t || t.tagName !== "A") return;
      var day = t.closest("[data-index]");
      if (!day) return;
      var step = 0;
      if (ev.key === "ArrowRight") step = 1;
      else if (ev.key === "ArrowLeft") step = -1;
      else if (ev.key === "ArrowDown") step = view === "month" ? 7 : 1;
      else if (ev.key === "ArrowUp") step = view === "month" ? -7 : -1;
      if (!step) return;
      var days = Array.prototype.slice.call(cal.querySelectorAll("[data-index]"));
      var i = days.indexOf(day);
      for (var j = i + step; j >= 0 && j < days.length; j += step) {
        var link = days[j].querySelector("a");
        if (link && link.offsetParent !== null) {
          ev.preventDefault();
          link.focus();
          return;
        }
        if (Math.abs(step) === 7) step = step > 0 ? 1 : -1; // a hidden day: go on day by day
      }
    });
  }

  // Entry menus are disclosures (details): one open at a time; Escape or a
  // click elsewhere closes it, Escape giving the focus back to its button.
  function setupMenus(cal) {
    function menus() { return Array.prototype.slice.call(cal.querySelectorAll("details.cal-menu[open]")); }
    cal.addEventListener("toggle", function (ev) {
      var d = ev.target;
      if (!d.classList || !d.classList.contains("cal-menu") || !d.open) return;
      menus().forEach(function (m) { if (m !== d) m.open = false; });
    }, true);
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") return;
      var open = menus();
      if (!open.length) return;
      var active = document.activeElement;
      open.forEach(function (m) {
        m.open = false;
        if (active && m.contains(active)) m.querySelector("summary").focus();
      });
    });
    document.addEventListener("click", function (ev) {
      menus().forEach(function (m) { if (!m.contains(ev.target)) m.open = false; });
    });
  }

  // The week opens at the hour the server names (the working day, or the
  // week's first post when earlier) where its hours scroll.
  function scrollWeek(cal) {
    var week = cal.querySelector(".cal-week[data-scroll-hour]");
    if (!week || week.scrollHeight <= week.clientHeight) return;
    var day = week.querySelector(".cal-wday");
    var row = day && day.querySelector('.cal-hour[data-hour="' + week.dataset.scrollHour + '"]');
    if (!row) return;
    var head = day.querySelector(".cal-date");
    week.scrollTop += row.getBoundingClientRect().top - week.getBoundingClientRect().top - (head ? head.offsetHeight : 0);
  }

  function init() {
    rememberZone();
    var cal = document.getElementById("calendar");
    if (!cal || cal.dataset.ready) return;
    cal.dataset.ready = "1";
    setupDrag(cal);
    setupKeys(cal);
    setupMenus(cal);
    scrollWeek(cal);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
