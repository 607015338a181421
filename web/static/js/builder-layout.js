/* The builder's form layout (web/templates/admin/builder/layout.html).
 * - Every section's field list and "Not placed" are SortableJS lists of one group, so a field
 *   drags by its handle within a section, into another, or out of every section.
 * - On a drop each field's hidden input and "move to" list are set to the list it is now in,
 *   and the sections form is submitted through htmx: the sections and the live preview are
 *   drawn again from the saved draft. Changing a "move to" list submits the same form.
 * - A refused arrangement answers 422 with the page and the reason beside its section: it is
 *   swapped in like an accepted one, and the focus goes back to the list the admin used.
 */
(function () {
  "use strict";

  var focusId = null;

  function form() { return document.getElementById("layout-form"); }

  function submit() {
    var f = form();
    if (!f) { return; }
    if (f.requestSubmit) { f.requestSubmit(); } else { f.submit(); }
  }

  /* Make each field's inputs say where it now is: `fields.<section>` or "unplaced". */
  function syncPlaces(root) {
    root.querySelectorAll(".layout-chips").forEach(function (list) {
      var key = list.getAttribute("data-section") || "";
      list.querySelectorAll(".layout-chip").forEach(function (chip) {
        var hidden = chip.querySelector("input[type=hidden]");
        var select = chip.querySelector("select");
        if (hidden) { hidden.name = key ? "fields." + key : "unplaced"; }
        if (select) { select.value = key; }
      });
    });
  }

  function makeSortable(root) {
    if (!window.Sortable) { return; }
    root.querySelectorAll(".layout-chips").forEach(function (list) {
      if (list.getAttribute("data-sortable")) { return; }
      list.setAttribute("data-sortable", "1");
      var unplaced = !list.getAttribute("data-section");
      window.Sortable.create(list, {
        group: "layout-fields",
        handle: ".drag-handle",
        draggable: ".layout-chip",
        sort: !unplaced,
        animation: 150,
        forceFallback: true,
        emptyInsertThreshold: 24,
        onEnd: function (event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) { return; }
          var f = form();
          if (f) { syncPlaces(f); }
          focusId = null;
          submit();
        }
      });
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("layout-move-select")) {
      focusId = target.id;
      submit();
    }
  });

  /* The page's policy refuses style attributes, so htmx must not carry them across a swap
   * (SortableJS leaves empty ones behind). */
  if (window.htmx) { window.htmx.config.attributesToSettle = ["class", "width", "height"]; }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422 && document.getElementById("layout-main")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var again = focusId && document.getElementById(focusId);
    if (again) { again.focus(); }
  });
  document.addEventListener("htmx:load", function (event) { makeSortable(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { makeSortable(document); });
  if (document.readyState !== "loading") { makeSortable(document); }
})();
