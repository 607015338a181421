/* Charts of reports, dashboards and the S-curve: Apache ECharts driven by the server.
 *
 * Contract: the page writes
 *   <div class="echart" data-option="ID" role="img" aria-label="..."></div>
 *   <script type="application/json" id="ID">{ ECharts option built by web/charts.py }</script>
 * and loads echarts.min.js, then this file. Every .echart is drawn on load and after each
 * htmx swap (the option read from the response, as htmx drops script elements), resized
 * with the window, and a click on a data item that carries "url" opens it.
 *
 * Our Content-Security-Policy refuses style attributes, so tooltips are drawn on the canvas
 * (renderMode "richText") instead of ECharts' default HTML with inline styles, and numbers
 * on value axes and in tooltips are formatted here in the page's language.
 */
(function () {
  "use strict";

  var NARROW = 520;
  var charts = [];
  /* htmx (allowScriptTags off, as our CSP wants) drops every <script> of a swapped part,
   * the JSON ones too: their text is kept here, read from the response before the swap. */
  var swapped = {};

  function numberFormat() {
    var lang = document.documentElement.lang || "en";
    try {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
    } catch (error) {
      return new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
    }
  }

  function asList(value) {
    if (!value) { return []; }
    return Array.isArray(value) ? value : [value];
  }

  function formatAxes(option, format) {
    ["xAxis", "yAxis"].forEach(function (name) {
      asList(option[name]).forEach(function (axis) {
        if (axis.type === "value") {
          axis.axisLabel = axis.axisLabel || {};
          axis.axisLabel.formatter = function (value) { return format.format(value); };
        }
      });
    });
  }

  function tooltipText(format) {
    return function (params) {
      var items = asList(params);
      var lines = [];
      if (items.length && items[0].axisValueLabel !== undefined) {
        lines.push(items[0].axisValueLabel);
      }
      items.forEach(function (item) {
        var value = item.value;
        if (Array.isArray(value)) { value = value[value.length - 1]; }
        if (value === null || value === undefined || value === "-") { return; }
        var byName = item.seriesType === "pie" || item.seriesType === "heatmap";
        var name = byName ? item.name : item.seriesName;
        var text = typeof value === "number" ? format.format(value) : String(value);
        lines.push((name ? name + ": " : "") + text +
          (item.seriesType === "pie" && item.percent !== undefined ? " (" + item.percent + "%)" : ""));
      });
      return lines.join("\n");
    };
  }

  /* Room above the plot for a legend that wraps onto several lines, and for the axis name. */
  function fitLegend(option, width) {
    var legend = asList(option.legend)[0];
    if (!legend || legend.show === false || legend.top === "bottom" || !option.grid) { return; }
    var names = asList(option.series).map(function (s) { return String(s.name || ""); });
    var used = names.reduce(function (sum, name) { return sum + 40 + name.length * 8; }, 0);
    var lines = Math.max(1, Math.ceil(used / Math.max(width - 32, 100)));
    option.grid.top = 24 + lines * 24 + (option.yAxis && asList(option.yAxis)[0].name ? 16 : 0);
  }

  function fitNarrow(option, width) {
    fitLegend(option, width);
    if (width >= NARROW) { return; }
    asList(option.xAxis).forEach(function (axis) {
      if (axis.type === "category") {
        axis.axisLabel = axis.axisLabel || {};
        axis.axisLabel.rotate = 45;
        axis.axisLabel.hideOverlap = true;
      }
    });
    asList(option.legend).forEach(function (legend) {
      legend.left = 0;
      legend.right = 0;
    });
    asList(option.series).forEach(function (series) {
      if (series.type === "pie") {  /* names in the legend below, values in the tooltip */
        series.label = { show: false };
        series.radius = ["30%", "70%"];
      }
    });
  }

  function prepare(option, element) {
    var format = numberFormat();
    option.tooltip = option.tooltip || {};
    option.tooltip.renderMode = "richText";
    option.tooltip.formatter = tooltipText(format);
    formatAxes(option, format);
    fitNarrow(option, element.clientWidth);
    return option;
  }

  function draw(element) {
    if (element.getAttribute("data-drawn") === "1" || typeof window.echarts === "undefined") {
      return;
    }
    var id = element.getAttribute("data-option");
    var source = document.getElementById(id);
    var text = source ? source.textContent : swapped[id];
    delete swapped[id];
    if (!text) { return; }
    var option = JSON.parse(text);
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(prepare(option, element));
    chart.on("click", function (params) {
      var data = params.data;
      if (data && typeof data === "object" && typeof data.url === "string" && data.url) {
        window.location.assign(data.url);
      }
    });
    chart.on("finished", function () { element.setAttribute("data-finished", "1"); });
    element.setAttribute("data-drawn", "1");
    charts.push(chart);
  }

  function drawAll(root) {
    charts = charts.filter(function (chart) {
      if (chart.isDisposed() || !document.body.contains(chart.getDom())) {
        if (!chart.isDisposed()) { chart.dispose(); }
        return false;
      }
      return true;
    });
    (root || document).querySelectorAll(".echart").forEach(draw);
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) { if (!chart.isDisposed()) { chart.resize(); } });
    }, 120);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var html = event.detail && event.detail.serverResponse;
    if (typeof html !== "string" || html.indexOf("application/json") < 0) { return; }
    var parsed = new DOMParser().parseFromString(html, "text/html");
    parsed.querySelectorAll('script[type="application/json"][id]').forEach(function (script) {
      swapped[script.id] = script.textContent;
    });
  });
  document.addEventListener("htmx:afterSettle", function () { drawAll(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();
