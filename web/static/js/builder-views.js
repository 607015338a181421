/* The builder's list settings (web/templates/admin/builder/_views_list.html).
 * - The columns' list is sortable by its drag handle (SortableJS); the hidden `order` inputs
 *   move with their rows, so "Save the list" sends the columns in the order shown.
 * - The ↑ / ↓ buttons move a row in place (keyboard and phone path) and keep the focus;
 *   without JavaScript they submit the form, and the server moves the column instead.
 */
(function () {
  "use strict";

  function move(button) {
    var parts = (button.value || "").split(":");
    var item = button.closest("li");
    if (!item || parts.length < 2) { return; }
    var list = item.parentNode;
    if (parts[0] === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (parts[0] === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    }
    button.focus();
  }

  function start(root) {
    root.querySelectorAll(".bv-columns").forEach(function (list) {
      if (list.getAttribute("data-ready")) { return; }
      list.setAttribute("data-ready", "1");
      if (window.Sortable) {
        window.Sortable.create(list, {
          handle: ".drag-handle", draggable: "li", animation: 150, forceFallback: true
        });
      }
      list.addEventListener("click", function (event) {
        var button = event.target.closest("button[name=move]");
        if (!button) { return; }
        event.preventDefault();
        move(button);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(document); });
  } else {
    start(document);
  }
})();
