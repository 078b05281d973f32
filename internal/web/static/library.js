// Herald: the media library. The upload form works without this file;
// here it gains a drop zone and a progress bar.
(function () {
  "use strict";
  function init() {
    var form = document.getElementById("media-upload");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var zone = document.getElementById("media-drop");
    var input = document.getElementById("media-files");
    var bar = document.getElementById("media-progress");
    if (!zone || !input) return;
    zone.classList.add("can-drop");

    function stop(e) { e.preventDefault(); e.stopPropagation(); }
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { stop(e); zone.classList.add("dragging"); });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      zone.addEventListener(type, function (e) { stop(e); zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (e) {
      stop(e);
      zone.classList.remove("dragging");
      if (!e.dataTransfer || !e.dataTransfer.files || e.dataTransfer.files.length === 0) return;
      input.files = e.dataTransfer.files;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });

    if (!bar) return;
    form.addEventListener("htmx:xhr:loadstart", function () {
      bar.value = 0;
      bar.hidden = false;
    });
    form.addEventListener("htmx:xhr:progress", function (e) {
      if (e.detail && e.detail.lengthComputable && e.detail.total > 0) {
        bar.value = Math.round(e.detail.loaded / e.detail.total * 100);
      }
    });
    form.addEventListener("htmx:afterRequest", function (e) {
      bar.hidden = true;
      if (e.detail && e.detail.successful) form.reset();
    });
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:load", init);
})();
