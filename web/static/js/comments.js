/* The @ picker of comments: typing @ in a textarea[data-mention] offers the users who may
 * read the record (asked from the Activity panel's data-mentions URL), by name and display
 * name. Arrow keys move, Enter or Tab picks, Escape closes; a click picks too. Names are put
 * into the page as text only. Bound once by event delegation, so panels htmx swaps in work.
 */
(function () {
  "use strict";
  if (window.formworkMentions) { return; }
  window.formworkMentions = true;

  var TOKEN = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.@-]{0,63})$/;
  var timer = null;
  var asked = 0;

  function tokenBefore(area) {
    var match = TOKEN.exec(area.value.slice(0, area.selectionStart));
    return match ? { query: match[2], start: area.selectionStart - match[2].length - 1 } : null;
  }

  function listOf(area) {
    var box = area.closest(".mention-box");
    var list = box.querySelector("[role=listbox]");
    if (!list) {
      list = document.createElement("ul");
      list.setAttribute("role", "listbox");
      list.id = area.id + "-mentions";
      list.className = "mention-list";
      list.hidden = true;
      box.appendChild(list);
      area.setAttribute("aria-controls", list.id);
      area.setAttribute("aria-autocomplete", "list");
    }
    return list;
  }

  function close(area) {
    var list = listOf(area);
    list.hidden = true;
    list.textContent = "";
    area.setAttribute("aria-expanded", "false");
    area.removeAttribute("aria-activedescendant");
  }

  function mark(area, index) {
    var options = listOf(area).querySelectorAll("[role=option]");
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (options[index]) { area.setAttribute("aria-activedescendant", options[index].id); }
  }

  function show(area, items) {
    var list = listOf(area);
    list.textContent = "";
    items.forEach(function (item, i) {
      var option = document.createElement("li");
      option.setAttribute("role", "option");
      option.id = list.id + "-" + i;
      option.dataset.name = item.name;
      var strong = document.createElement("strong");
      strong.textContent = item.display || item.name;
      option.appendChild(strong);
      if (item.display) {
        var name = document.createElement("span");
        name.className = "muted";
        name.textContent = " @" + item.name;
        option.appendChild(name);
      }
      list.appendChild(option);
    });
    if (!items.length) { close(area); return; }
    list.hidden = false;
    area.setAttribute("aria-expanded", "true");
    mark(area, 0);
  }

  function ask(area) {
    var token = tokenBefore(area);
    var panel = area.closest("[data-mentions]");
    if (!token || !panel) { close(area); return; }
    var ticket = ++asked;
    var url = panel.getAttribute("data-mentions") + "?q=" + encodeURIComponent(token.query);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : { items: [] }; })
      .then(function (body) { if (ticket === asked) { show(area, body.items || []); } })
      .catch(function () { close(area); });
  }

  function pick(area, option) {
    var token = tokenBefore(area);
    if (!token || !option) { close(area); return; }
    var before = area.value.slice(0, token.start) + "@" + option.dataset.name + " ";
    area.value = before + area.value.slice(area.selectionStart);
    area.selectionStart = area.selectionEnd = before.length;
    close(area);
    area.focus();
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("textarea[data-mention]")) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { ask(area); }, 120);
  });

  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("textarea[data-mention]")) { return; }
    if (area.getAttribute("aria-expanded") !== "true") { return; }
    var options = Array.prototype.slice.call(listOf(area).querySelectorAll("[role=option]"));
    var index = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : options.length - 1;
      mark(area, (index + step) % options.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      pick(area, options[Math.max(index, 0)]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(area);
    }
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".mention-list [role=option]");
    if (!option) { return; }
    event.preventDefault(); // keep the caret in the textarea
    pick(option.closest(".mention-box").querySelector("textarea[data-mention]"), option);
  });

  document.addEventListener("focusout", function (event) {
    var area = event.target;
    if (area.matches && area.matches("textarea[data-mention]")) { close(area); }
  });
})();
