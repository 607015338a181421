"""The REST API under /api/v1: the same engine calls as the pages, answered in JSON.

`api` is the parent blueprint; each concept has a blueprint of its own in this package
(records, transitions, history, batch, modules, inbox, reports, packs, webhooks, openapi)
nested under it, and `docs` serves Swagger UI at /api/docs. The parent owns what every
route shares: the body-size limit and a JSON 404/405 for any path under /api/v1 that no
route serves, coded (web/http_codes.py) and worded in the caller's language. Engine errors
are answered by the app's one handler (web/errors.py).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from web.api.common import PREFIX
from web.refusals import ApiError, http_refusal, refusal_response

MAX_BODY = 10 * 1024 * 1024  # API_MAX_BODY: bytes a request body may have
# Bytes of path and query string (a filter of 200 record ids fits); gunicorn's own ceiling is 8190
# for the whole request line (web/cli_serve.py), so past this the answer is still JSON.
MAX_REQUEST_LINE = 8000

api = Blueprint("api", __name__, url_prefix=PREFIX)


@api.before_request
def _limit_body() -> None:
    request.max_content_length = current_app.config.get("API_MAX_BODY", MAX_BODY)
    if len(request.path.encode()) + len(request.query_string) > MAX_REQUEST_LINE:
        raise ApiError(414, "request_line_too_long", {"limit": MAX_REQUEST_LINE})


@api.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> ResponseReturnValue:
    if isinstance(error, RequestRedirect):
        return error.get_response()
    refusal = http_refusal(error)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        refusal.headers["Allow"] = ", ".join(error.valid_methods)
    return refusal_response(refusal)


# Per status code as well: Flask prefers an app-wide handler registered for a code (the
# pages' HTML error pages) over a blueprint's handler registered for HTTPException.
for _code in (400, 403, 404, 405, 409, 413, 414, 415, 422, 429, 500):
    api.register_error_handler(_code, _http_error)


@api.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def _no_route(rest: str) -> ResponseReturnValue:
    """Any other path under /api/v1: 405 when the path exists for other methods, else 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed: set[str] = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "api._no_route":
            allowed.add(method)
    if allowed:
        raise MethodNotAllowed(valid_methods=sorted(allowed | {"OPTIONS"}))
    raise ApiError(404, "no_route", {"path": request.path, "openapi": f"{PREFIX}/openapi.json"})


def _register_children() -> None:
    from web.api import (
        batch,
        comments,
        history,
        imports,
        inbox,
        modules,
        notifications,
        openapi,
        packs,
        records,
        reports,
        transitions,
        webhooks,
    )

    for child in (
        modules.bp,
        records.bp,
        batch.bp,
        history.bp,
        comments.bp,
        transitions.bp,
        inbox.bp,
        reports.bp,
        packs.bp,
        webhooks.bp,
        imports.bp,
        notifications.bp,
        openapi.bp,
    ):
        api.register_blueprint(child)


_register_children()


def init_app(app: Flask) -> None:
    """Register the API and its docs page; exempt them from the pages' CSRF check.

    The API takes only bearer tokens, never the session cookie, so a cross-site form cannot
    act through it; the pages' CSRF protection (Flask-WTF), when present, must not demand a
    form token from API clients.
    """
    from web.api import docs

    app.register_blueprint(api)
    app.register_blueprint(docs.bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        for name, blueprint in app.blueprints.items():
            if name == "api" or name.startswith("api.") or name == docs.bp.name:
                csrf.exempt(blueprint)
