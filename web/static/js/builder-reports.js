/* The builder's report form (templates/admin/builder/reports.html), by event delegation so
 * rows htmx appends work too. No eval, no inline script (strict CSP).
 * - a row's remove button [data-report-remove-row] takes the row out;
 * - a quick pick [data-report-pick="textarea id"] writes its expression into the row's editor
 *   (and a measure's column name when it is empty), which htmx then checks ("change");
 * - the chart's axis selects [data-chart-axis] follow the groups and the measures written.
 */
(function () {
  "use strict";

  function form() { return document.getElementById("report-form"); }

  function values(selector) {
    var root = form();
    if (!root) { return []; }
    var seen = [];
    root.querySelectorAll(selector).forEach(function (input) {
      var value = input.value.trim();
      if (value && seen.indexOf(value) < 0) { seen.push(value); }
    });
    return seen;
  }

  function fill(select, choices) {
    var current = select.value || select.getAttribute("data-current") || "";
    var optional = select.hasAttribute("data-optional");
    var keep = optional ? select.options[0] : null;
    while (select.options.length) { select.remove(0); }
    if (keep) { select.add(keep); }
    choices.forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      select.add(option);
    });
    if (choices.indexOf(current) >= 0) {
      select.value = current;
    } else if (optional) {
      select.value = "";
    }
    select.setAttribute("data-current", select.value);
  }

  function refreshChart() {
    var root = form();
    if (!root) { return; }
    var groups = values("textarea[name^='group.']");
    var measures = values("input[name^='measure_name.']");
    root.querySelectorAll("select[data-chart-axis]").forEach(function (select) {
      fill(select, select.getAttribute("data-chart-axis") === "measures" ? measures : groups);
    });
  }

  function nameOf(expression) {
    var match = /^([a-z_]+)\(([a-z0-9_.$]*)\)$/.exec(expression);
    if (!match) { return ""; }
    return (match[2] || match[1]).replace(/[^a-z0-9_]/g, "_").replace(/^_+/, "") || match[1];
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-report-remove-row]");
    if (!button) { return; }
    event.preventDefault();
    var row = button.closest("[data-report-row]");
    if (row) { row.remove(); }
    refreshChart();
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-chart-axis]")) {
      target.setAttribute("data-current", target.value);
      return;
    }
    if (!target.hasAttribute || !target.hasAttribute("data-report-pick") || !target.value) {
      return;
    }
    var textarea = document.getElementById(target.getAttribute("data-report-pick"));
    if (textarea) {
      textarea.value = target.value;
      textarea.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var nameField = target.getAttribute("data-report-name");
    var name = nameField && form() ? form().querySelector("[name='" + nameField + "']") : null;
    if (name && !name.value.trim()) { name.value = nameOf(target.value); }
    refreshChart();
  });

  document.addEventListener("input", function (event) {
    var name = event.target.getAttribute && event.target.getAttribute("name");
    if (name && (name.indexOf("group.") === 0 || name.indexOf("measure_name.") === 0)) {
      refreshChart();
    }
  });

  document.addEventListener("htmx:afterSwap", refreshChart);
})();
