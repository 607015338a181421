"""Engine errors and HTTP errors as pages, in the user's language.

The app's one handler of engine errors (web/errors.py) calls `engine_error_page` outside the
API: an HTML page (or, for an htmx request, a short fragment the page shows in place) with
the status the API gives for the same error and each problem's message.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import FormworkError
from web.pages.context import is_htmx
from web.problems import problem_message
from web.refusals import ApiError, http_refusal, refusal_response

API_PREFIX = "/api/"


def _message(status: int) -> tuple[str, str]:
    """Title and explanation of an error page, in the user's language."""
    messages = {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        403: (_("Not allowed"), _("Your role does not allow this.")),
        404: (
            _("Not found"),
            _("This page or record does not exist, or you do not have access to it."),
        ),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        409: (
            _("Changed meanwhile"),
            _(
                "Someone changed this record, or it moved to another state. Reload it and try again."
            ),
        ),
        413: (_("Too large"), _("What you sent is larger than allowed.")),
        422: (_("Not accepted"), _("Some values were not accepted.")),
        429: (_("Too many attempts"), _("Too many attempts. Wait a minute and try again.")),
    }
    return messages.get(status, (_("Something went wrong"), _("Please try again later.")))


def render_error(status: int, detail: str | None = None) -> ResponseReturnValue:
    title, message = _message(status)
    if is_htmx():
        return render_template("errors/fragment.html", title=title, message=message), status
    return render_template(
        "errors/error.html", status=status, title=title, message=message, detail=detail
    ), status


def engine_error_page(error: FormworkError, status: int) -> ResponseReturnValue:
    """The error page of an engine error: its status, and what went wrong in the user's words."""
    details = dict.fromkeys(problem_message(p) for p in error.problems)
    generic = _message(status)[1]
    detail = "; ".join(d for d in details if d != generic) or None
    return render_error(status, detail)


def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    if request.path.startswith(API_PREFIX):
        return refusal_response(http_refusal(error))
    return render_error(status)


def _csrf_error(error: CSRFError) -> Any:
    if request.path.startswith(API_PREFIX):
        return refusal_response(ApiError(400, "csrf_failed"))
    title = _("Your form expired")
    message = _(
        "The security token of the form is missing or out of date. Reload the page and try again."
    )
    if is_htmx():
        return render_template("errors/fragment.html", title=title, message=message), 400
    return render_template(
        "errors/error.html", status=400, title=title, message=message, detail=None
    ), 400


def init_app(app: Flask) -> None:
    """HTML pages for HTTP errors outside the API (404, 405, 413, 429, a missing CSRF token)."""
    app.register_error_handler(CSRFError, _csrf_error)
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _http_error)
