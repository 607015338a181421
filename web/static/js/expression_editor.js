/* The builder's expression editor (templates/admin/builder/_expression.html), by event
 * delegation so editors htmx swaps in work too. No eval, no inline script (strict CSP).
 * - keeps the hidden caret position current, so the server completes the word at the caret;
 * - a completion button [data-insert-name] replaces the word being typed by that name;
 * - the "insert a name" picker [data-expression-pick] inserts the chosen name at the caret;
 * - a field [data-expression-recheck="id"] (the sample record) has textarea #id checked again.
 * Each insertion fires "change" on the textarea, which htmx answers with a fresh check.
 */
(function () {
  "use strict";
  if (window.formworkExpressionEditor) { return; }
  window.formworkExpressionEditor = true;

  function caretInput(textarea) {
    var editor = textarea.closest("[data-expression-editor]");
    return editor ? editor.querySelector("[data-expression-caret]") : null;
  }

  function remember(textarea) {
    var caret = caretInput(textarea);
    if (caret) { caret.value = String(textarea.selectionStart || 0); }
  }

  function insert(textarea, name, replaceWord) {
    var value = textarea.value;
    var end = textarea.selectionStart;
    if (typeof end !== "number" || document.activeElement !== textarea && end === 0) {
      end = value.length;
    }
    var start = end;
    if (replaceWord) {
      while (start > 0 && /[\w$.]/.test(value.charAt(start - 1))) { start -= 1; }
    }
    textarea.value = value.slice(0, start) + name + value.slice(end);
    var caret = start + name.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    remember(textarea);
    textarea.dispatchEvent(new Event("change", { bubbles: true }));
  }

  ["keyup", "click", "select", "input"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var target = event.target;
      if (target instanceof HTMLTextAreaElement && target.hasAttribute("data-expression-text")) {
        remember(target);
      }
    }, true);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-name]");
    if (!button) { return; }
    var editor = button.closest("[data-expression-editor]");
    var textarea = editor && editor.querySelector("[data-expression-text]");
    if (textarea) {
      event.preventDefault();
      insert(textarea, button.getAttribute("data-insert-name"), true);
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-expression-pick")) {
      var textarea = document.getElementById(target.getAttribute("data-expression-pick"));
      if (textarea && target.value) {
        var name = target.value;
        target.value = "";
        insert(textarea, name, false);
      }
      return;
    }
    if (target.hasAttribute && target.hasAttribute("data-expression-recheck")) {
      var checked = document.getElementById(target.getAttribute("data-expression-recheck"));
      if (checked) { checked.dispatchEvent(new Event("change", { bubbles: true })); }
    }
  });
})();
