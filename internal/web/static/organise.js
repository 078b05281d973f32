// Herald: the labels and campaigns pages. Picking a colour in the
// browser's picker chooses "Other"; without the script, people tick it.
(function () {
  "use strict";
  document.addEventListener("input", function (ev) {
    var input = ev.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-custom-color")) return;
    var set = input.closest("[data-palette]");
    var other = set && set.querySelector('input[type=radio][value="custom"]');
    if (other) other.checked = true;
  });
})();
