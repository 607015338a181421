// Workflow drawings: let htmx swap in the refusal of a workflow it cannot draw (a 4xx
// fragment naming the problem), for requests made by forms marked data-wf-redraw. htmx 2
// leaves error responses unswapped by default.
document.addEventListener("htmx:beforeSwap", (event) => {
  const config = event.detail.requestConfig;
  const source = config && config.elt;
  const status = event.detail.xhr.status;
  if (source && source.closest && source.closest("[data-wf-redraw]") && (status === 413 || status === 422)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
