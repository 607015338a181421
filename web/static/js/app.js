/* Formwork pages: the few behaviours htmx does not cover, by event delegation.
 * - [data-dialog="id"] opens the <dialog id="id">; [data-close] closes its dialog.
 * - form[data-confirm] asks before submitting.
 * - a form that htmx also posts for its live preview is submitted only once that preview
 *   has answered, and no further preview starts: leaving the page never cuts one short.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var first = dialog.querySelector("textarea, input:not([type=hidden]), select, button");
        if (first) { first.focus(); }
      }
      return;
    }
    var closer = event.target.closest("[data-close]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) { event.preventDefault(); open.close(); }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (!form.hasAttribute("hx-post") || form.hasAttribute("data-submitting")) { return; }
    form.setAttribute("data-submitting", "");
    form.setAttribute("hx-disable", "");
    if (form.classList.contains("htmx-request")) {
      event.preventDefault();
      form.addEventListener("htmx:afterRequest", function () {
        HTMLFormElement.prototype.submit.call(form);
      }, { once: true });
    }
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
      form.removeAttribute("hx-disable");
    });
  });

  /* Close an open dropdown menu when focus or a click moves elsewhere. */
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
        menu.removeAttribute("open");
        var summary = menu.querySelector("summary");
        if (summary) { summary.focus(); }
      });
    }
  });
})();
