/* The calendar view (templates/views/calendar_body.html): drag an entry to another day, or
 * use its "Move to…" form, and the record's date is changed on the server (the same update
 * as the edit form, at the version the page read). A record spanning days may be dragged by
 * any of its days: it moves by as many days as the drop is from the day it was picked up,
 * and the server moves its end with its start; the calendar is then drawn again. A refusal
 * shows its reason in the status line and the entry stays where it was. Native drag and
 * drop: nothing here writes a style attribute, so the page's Content-Security-Policy holds.
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

  /* The new first day of an entry dropped on `day`: as far from its first day as the drop
   * is from the day of the piece that was picked up (ISO dates, counted in UTC). */
  function newStart(entry, day) {
    var start = entry.getAttribute("data-start");
    var from = entry.getAttribute("data-day") || start;
    if (!start) { return day; }
    var shift = Date.parse(day + "T00:00:00Z") - Date.parse(from + "T00:00:00Z");
    return new Date(Date.parse(start + "T00:00:00Z") + shift).toISOString().slice(0, 10);
  }

  /* Draw the calendar again (a spanning record covers other days now), keeping the status
   * line's answer. */
  function redraw() {
    var status = document.getElementById("calendar-status");
    var here = status && status.getAttribute("data-here");
    if (!here || !window.htmx) { window.location.reload(); return; }
    var said = Array.prototype.slice.call(status.childNodes);
    window.htmx.ajax("GET", here, { target: "#calendar-body", swap: "innerHTML" }).then(function () {
      var fresh = document.getElementById("calendar-status");
      if (fresh) { fresh.replaceChildren.apply(fresh, said); }
    });
  }

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
    var spans = entry.classList.contains("cal-span");
    send(entry.getAttribute("data-move"), entry.getAttribute("data-version"),
      newStart(entry, cell.getAttribute("data-date")))
      .then(function (version) {
        if (version === null) { return; }
        if (spans) { redraw(); return; }
        entry.setAttribute("data-version", version);
        entry.setAttribute("data-start", cell.getAttribute("data-date"));
        entry.setAttribute("data-day", cell.getAttribute("data-date"));
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
