// Herald: the share-of-voice chart. Reads each brand's daily share of the
// tracked brands' mentions (#voice-data) and draws one line per brand
// with uPlot; a day without any mention is a gap. The table beside it is
// what screen readers get; without script it is all there is.
(function () {
  "use strict";

  var palette = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626", "#4b5563"];

  function size(el) {
    return { width: Math.max(el.clientWidth, 280), height: 240 };
  }

  function start() {
    var src = document.getElementById("voice-data");
    var el = document.getElementById("chart-voice");
    if (!src || !el || !window.uPlot) return;
    var d = JSON.parse(src.textContent);
    if (!d.days.length || !d.brands.length) return;
    var data = [d.days];
    var series = [{}];
    d.brands.forEach(function (b, i) {
      data.push(b.percent);
      series.push({ label: b.label, stroke: palette[i % palette.length], width: 2, spanGaps: false,
        value: function (u, v) { return v == null ? "–" : v.toFixed(1) + "%"; } });
    });
    el.textContent = "";
    var s = size(el);
    var u = new window.uPlot({
      width: s.width, height: s.height,
      scales: { x: { time: true }, y: { range: [0, 100] } },
      series: series,
      axes: [{}, { label: "Share of mentions (%)" }]
    }, data, el);
    var pending = 0;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { u.setSize(size(el)); }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
