/* The module builder's editor (web/templates/admin/builder/editor.html).
 * - Each field list (and each child table's column list) is sortable by its drag handle
 *   (SortableJS); a drop posts the new order with the page's CSRF header, then the editor
 *   and its live preview are drawn again through htmx.
 * - A refused edit answers 422 with the editor and its problems: htmx swaps it in too.
 */
(function () {
  "use strict";

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (error) {
      return {};
    }
  }

  function refresh() {
    if (window.htmx) {
      window.htmx.ajax("GET", window.location.href, {
        target: "#builder-main", select: "#builder-main", swap: "outerHTML"
      });
    } else {
      window.location.reload();
    }
  }

  function saveOrder(list) {
    var main = document.getElementById("builder-main");
    if (!main) { return; }
    var body = new URLSearchParams();
    body.append("table", list.getAttribute("data-table") || "");
    Array.prototype.forEach.call(list.children, function (item) {
      var name = item.getAttribute("data-name");
      if (name) { body.append("order", name); }
    });
    var headers = csrfHeaders();
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    fetch(main.getAttribute("data-order-url"), {
      method: "POST", headers: headers, body: body.toString(), credentials: "same-origin"
    }).then(refresh, refresh);
  }

  function makeSortable(root) {
    if (!window.Sortable) { return; }
    root.querySelectorAll(".builder-field-list").forEach(function (list) {
      if (list.getAttribute("data-sortable")) { return; }
      list.setAttribute("data-sortable", "1");
      window.Sortable.create(list, {
        handle: ".drag-handle",
        draggable: "li",
        animation: 150,
        forceFallback: true,
        onEnd: function (event) {
          if (event.oldIndex !== event.newIndex) { saveOrder(list); }
        }
      });
    });
  }

  /* The page's policy refuses style attributes, so htmx must not carry them across a swap
   * (SortableJS leaves empty ones behind); classes and sizes still settle. */
  if (window.htmx) { window.htmx.config.attributesToSettle = ["class", "width", "height"]; }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422 && document.getElementById("builder-main")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:load", function (event) { makeSortable(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { makeSortable(document); });
  if (document.readyState !== "loading") { makeSortable(document); }
})();
