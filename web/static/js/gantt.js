/* The Gantt view (templates/views/gantt_body.html): drag a bar sideways and the task's
 * start and finish move by whole days on the server (the same update as the edit form, at
 * the version the page read). Accepted: the chart is drawn again (htmx, event
 * "gantt-moved"). Refused: the reason shows in the status line and the bar returns. The
 * bar moves through its SVG `transform` attribute, never a style, so the CSP holds.
 */
(function () {
  "use strict";

  var drag = null;

  function shift(iso, days) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function send(task, svg, days) {
    var fields = {
      version: task.getAttribute("data-version"),
      start: shift(task.getAttribute("data-start"), days),
      end: shift(task.getAttribute("data-end"), days)
    };
    var url = svg.getAttribute("data-move-url").replace("RECORD", task.getAttribute("data-id"));
    return window.formworkMoves.post(url, fields, "gantt-notice").then(function (answer) {
      return answer.ok;
    });
  }

  function back(task) {
    task.removeAttribute("transform");
    task.classList.remove("dragging");
  }

  document.addEventListener("pointerdown", function (event) {
    var shape = event.target.closest && event.target.closest(".gantt-bar, .gantt-done, .gantt-milestone");
    var svg = shape && shape.closest("svg.gantt[data-movable]");
    if (!svg || event.button !== 0) { return; }
    var task = shape.closest(".gantt-task");
    var ratio = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width || 1;
    drag = { task: task, svg: svg, x: event.clientX, px: parseFloat(svg.getAttribute("data-day-px")) * ratio, days: 0 };
    task.classList.add("dragging");
    shape.setPointerCapture(event.pointerId);
    event.preventDefault();
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    drag.days = Math.round((event.clientX - drag.x) / drag.px);
    var dx = drag.days * parseFloat(drag.svg.getAttribute("data-day-px"));
    drag.task.setAttribute("transform", "translate(" + dx + " 0)");
  });

  function finish() {
    if (!drag) { return; }
    var done = drag;
    drag = null;
    if (done.days === 0) { back(done.task); return; }
    send(done.task, done.svg, done.days).then(function (ok) {
      if (ok) {
        document.body.dispatchEvent(new CustomEvent("gantt-moved"));
      } else {
        back(done.task);
      }
    });
  }

  document.addEventListener("pointerup", finish);
  document.addEventListener("pointercancel", function () {
    if (drag) { back(drag.task); drag = null; }
  });
})();
