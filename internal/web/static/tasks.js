// Herald: dragging tasks on the board. A card dropped in a column (before
// or after another card, or at its end) is moved by the board's hidden
// move form, the same request the cards' Move menus send, so the server
// refuses a move made from a stale board just the same. Without script,
// or from the keyboard, the Move menus do everything dragging does.
(function () {
  "use strict";

  function start() {
    var board = document.getElementById("board");
    var form = document.getElementById("drag-move");
    if (!board || !form || board.dataset.drag) return;
    board.dataset.drag = "1";
    var dragged = null;

    function column(el) { return el && el.closest ? el.closest(".board-column") : null; }
    function clearTargets() {
      board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
    }

    board.addEventListener("dragstart", function (e) {
      var card = e.target.closest && e.target.closest(".task-card[draggable=true]");
      if (!card) return;
      dragged = card;
      card.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.dataset.task);
    });
    board.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
      clearTargets();
    });
    board.addEventListener("dragover", function (e) {
      var col = column(e.target);
      if (!dragged || !col) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      clearTargets();
      col.classList.add("drop-target");
    });
    board.addEventListener("drop", function (e) {
      var col = column(e.target);
      if (!dragged || !col) return;
      e.preventDefault();
      var card = dragged;
      var over = e.target.closest(".task-card");
      var before = "", after = "";
      if (over && over !== card) {
        var box = over.getBoundingClientRect();
        if (e.clientY < box.top + box.height / 2) before = over.dataset.task;
        else after = over.dataset.task;
      } else if (!over) {
        var cards = col.querySelectorAll(".task-card");
        var last = cards.length ? cards[cards.length - 1] : null;
        if (last && last !== card) after = last.dataset.task;
      } else if (column(card) === col) {
        return; // dropped on itself
      }
      form.action = card.dataset.move;
      form.elements.state.value = col.dataset.state;
      form.elements.before.value = before;
      form.elements.after.value = after;
      form.elements.version.value = card.dataset.version;
      form.submit();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:load", start);
})();
