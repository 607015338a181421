/* The board of a module: drag a card to another column to move it.
 * Every card carries a "move to" form (a select and a button), the path of a keyboard, a
 * phone or a browser without scripts. Dragging a card (SortableJS) picks the column in
 * that select and sends the same form through htmx. The server answers with the whole
 * board drawn again from the database and what happened: a refused move (4xx, with the
 * reason) is drawn too, so the card is back in its column and the reason is shown.
 */
(function () {
  "use strict";

  var BODY = "board-body";

  function send(form) {
    var body = document.getElementById(BODY);
    if (!body || form.hasAttribute("data-sending")) { return; }
    form.setAttribute("data-sending", "");
    var card = form.closest(".board-card");
    if (card) { card.classList.add("board-card-busy"); }
    htmx.ajax("POST", form.getAttribute("action"), {
      source: form, target: body, swap: "innerHTML"
    });
  }

  /* A refused move comes back 4xx with the board drawn again: show it, not an error. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var status = event.detail.xhr.status;
    if (target && target.id === BODY && status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("board-move") || !window.htmx) { return; }
    event.preventDefault();
    send(form);
  }, true);

  /* After a move the notice takes the focus, so a screen reader hears what happened. */
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === BODY) {
      var notice = document.getElementById("board-notice");
      if (notice) { notice.focus({ preventScroll: true }); }
    }
  });

  function dropped(event) {
    if (event.from === event.to) { return; }
    var form = event.item.querySelector("form.board-move");
    var select = form && form.querySelector("select[name=to]");
    if (!select) { return; }
    select.value = event.to.getAttribute("data-column");
    send(form);
  }

  function arrange(root) {
    if (!window.Sortable) { return; }
    var lists = root.querySelectorAll ? root.querySelectorAll(".board-cards") : [];
    lists.forEach(function (list) {
      if (list.hasAttribute("data-sortable")) { return; }
      list.setAttribute("data-sortable", "");
      window.Sortable.create(list, {
        group: "board",
        sort: false,
        animation: 120,
        filter: "select, button, a, input",
        preventOnFilter: false,
        ghostClass: "board-card-ghost",
        onEnd: dropped
      });
    });
  }

  function start() {
    arrange(document);
    if (window.htmx) { window.htmx.onLoad(arrange); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
