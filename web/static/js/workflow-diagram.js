// Workflow drawings: let htmx swap in the refusal of a workflow it cannot draw (a 4xx
// fragment naming the problem), for forms marked data-wf-redraw. htmx 2 leaves error
// responses unswapped by default.
document.addEventListener("htmx:beforeSwap", (event) => {
  const form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-wf-redraw]");
  const status = event.detail.xhr.status;
  if (form && (status === 413 || status === 422)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
