// The print page's Print button: the browser's print dialog (and its "Save as PDF").
// A file of its own because the page's CSP allows no inline script.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print-page]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
