/* Shared by the calendar and the Gantt views: post a record's new date(s) the way a form
 * would (the page's CSRF token, marked as an htmx request so the answer is a fragment) and
 * say the answer in the view's status line — the reason in the user's language when it is
 * refused. Text only: the answer is parsed, never inserted as HTML, and nothing here writes
 * a style attribute, so the page's Content-Security-Policy holds.
 */
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function say(statusId, html, refused) {
    var status = document.getElementById(statusId);
    if (!status) { return; }
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var line = document.createElement("p");
    line.className = "notice " + (refused ? "notice-error" : "notice-success");
    line.setAttribute("role", refused ? "alert" : "status");
    line.textContent = (parsed.body.textContent || "").trim();
    status.replaceChildren(line);
  }

  /* POST `fields` to `url`; resolves to {ok, headers} once the answer is said in `statusId`
   * (a network failure is said as a refusal and resolves to {ok: false}). */
  function post(url, fields, statusId) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (name) { body.set(name, fields[name]); });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" }
    }).then(function (response) {
      return response.text().then(function (text) {
        say(statusId, text, !response.ok);
        return { ok: response.ok, headers: response.headers };
      });
    }).catch(function () {
      say(statusId, "", true);
      return { ok: false, headers: null };
    });
  }

  window.formworkMoves = { post: post, say: say };
})();
