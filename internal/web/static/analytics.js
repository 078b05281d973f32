// Herald: the analytics charts. Reads the figures the page carries
// (#analytics-data) and draws them with uPlot: engagements and posts per
// day, and each account's followers. Every chart has its table on the
// page, which is what screen readers and the CSV get; without script the
// tables are all there is.
(function () {
  "use strict";

  var charts = [];

  function size(el) {
    return { width: Math.max(el.clientWidth, 280), height: 240 };
  }

  function draw(el, opts, data) {
    if (!el || !window.uPlot) return;
    el.textContent = "";
    var s = size(el);
    opts.width = s.width;
    opts.height = s.height;
    var u = new window.uPlot(opts, data, el);
    charts.push({ el: el, u: u });
  }

  var palette = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626", "#4b5563"];

  // lines draws one line per series of {label, at, followers} on a shared
  // time axis (null where a series has no reading).
  function lines(el, list, yLabel) {
    if (!el || !list.length) return;
    var seen = {};
    list.forEach(function (g) { g.at.forEach(function (t) { seen[t] = true; }); });
    var xs = Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
    if (!xs.length) return;
    var data = [xs];
    var series = [{}];
    list.forEach(function (g, i) {
      var by = {};
      g.at.forEach(function (t, j) { by[t] = g.followers[j]; });
      data.push(xs.map(function (t) { return t in by ? by[t] : null; }));
      series.push({ label: g.label, stroke: palette[i % palette.length], width: 2, spanGaps: true });
    });
    draw(el, { scales: { x: { time: true } }, series: series, axes: [{}, { label: yLabel }] }, data);
  }

  function start() {
    var perf = document.getElementById("performance-data");
    if (perf) {
      lines(document.getElementById("chart-performance"), JSON.parse(perf.textContent).targets, "Engagements");
      watchResize();
    }
    var src = document.getElementById("analytics-data");
    if (!src) return;
    var d = JSON.parse(src.textContent);
    draw(document.getElementById("chart-days"), {
      scales: { x: { time: true }, posts: { auto: true } },
      series: [
        {},
        { label: "Engagements", stroke: palette[0], width: 2, spanGaps: false },
        { label: "Posts", stroke: palette[1], width: 1, scale: "posts", dash: [4, 4] }
      ],
      axes: [{}, { label: "Engagements" }, { side: 1, scale: "posts", label: "Posts", grid: { show: false } }]
    }, [d.days, d.engagements, d.posts]);

    lines(document.getElementById("chart-growth"), d.growth, "Followers");

    watchResize();
  }

  function watchResize() {
    var pending = 0;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (c) { c.u.setSize(size(c.el)); });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
