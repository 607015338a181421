/* The calendar view (templates/views/calendar_body.html): drag an entry to another day, or
 * use its "Move to…" form, and the record's date is changed on the server (the same update
 * as the edit form, at the version the page read). A refusal shows its reason in the
 * status line and the entry stays where it was. Native drag and drop: nothing here writes
 * a style attribute, so the page's Content-Security-Policy holds.
 */
(function () {
  "use strict";

  var dragged = null;

  function send(url, version, day) {
    return window.formworkMoves.post(url, { version: version, date: day }, "calendar-status")
      .then(function (answer) {
        return answer.ok ? answer.headers.get("X-Record-Version") : null;
      });
  }

  document.addEventListener("dragstart", function (event) {
    var entry = event.target.closest && event.target.closest(".cal-entry[data-move]");
    if (!entry) { return; }
    dragged = entry;
    entry.classList.add("cal-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", entry.getAttribute("data-id"));
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".cal-dragging, .cal-drop").forEach(function (element) {
      element.classList.remove("cal-dragging", "cal-drop");
    });
  });

  document.addEventListener("dragover", function (event) {
    var cell = dragged && event.target.closest && event.target.closest(".cal-day[data-date]");
    if (!cell) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".cal-drop").forEach(function (other) {
      if (other !== cell) { other.classList.remove("cal-drop"); }
    });
    cell.classList.add("cal-drop");
  });

  document.addEventListener("drop", function (event) {
    var cell = dragged && event.target.closest && event.target.closest(".cal-day[data-date]");
    if (!cell) { return; }
    event.preventDefault();
    var entry = dragged;
    dragged = null;
    cell.classList.remove("cal-drop");
    if (entry.closest(".cal-day") === cell) { return; }
    send(entry.getAttribute("data-move"), entry.getAttribute("data-version"), cell.getAttribute("data-date"))
      .then(function (version) {
        if (version === null) { return; }
        entry.setAttribute("data-version", version);
        var list = cell.querySelector(".cal-entries");
        if (list) { list.appendChild(entry); }
      });
  });

  /* The keyboard and phone path: the "Move to…" form of an entry in the list mode. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("cal-move-form")) { return; }
    event.preventDefault();
    send(form.getAttribute("action"), form.elements.version.value, form.elements.date.value)
      .then(function (version) {
        if (version !== null) { window.location.reload(); }
      });
  });
})();
