"""Engine errors → HTTP status and an answer, in one place and by class.

The engine raises errors that carry their place and code (engine/errors.py) and never
thinks in HTTP. Each reason is a class under its category (a wrong state is a Conflict, not
being an approver a PermissionDenied, ...), so the status is found the way Flask finds an
error handler: by walking `type(error).__mro__` through `STATUS`. One handler registered on
the app answers every engine error: JSON `{"errors": [{"path", "code", "message"}]}` under
/api/ (the message in the caller's language), the error page everywhere else.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from engine.db import TimeBudgetExceeded
from engine.errors import (
    BatchFailed,
    Conflict,
    FormworkError,
    NotFound,
    PermissionDenied,
    Problem,
    UpgradeRefused,
)
from web.problems import problem_dicts
from web.refusals import ApiError, api_locale, error_body

API_PREFIX = "/api/"

# The most specific class wins: the table is searched along the error's class hierarchy.
STATUS: dict[type[Exception], int] = {
    FormworkError: 422,
    UpgradeRefused: 409,
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    TimeBudgetExceeded: 503,
}


def status_of(error: FormworkError) -> int:
    """The HTTP status that answers an engine error."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 422


def problems_of(error: FormworkError, locale: str | None = None) -> list[dict[str, Any]]:
    """The `errors` list of the JSON body: path, code, message (and batch index)."""
    locale = locale or api_locale()
    if isinstance(error, BatchFailed):
        return _indexed(error.items, locale)
    return problem_dicts(error.problems, locale)


def _indexed(items: list[tuple[int, Problem]], locale: str) -> list[dict[str, Any]]:
    shown = problem_dicts([p for _, p in items], locale)
    return [{"index": i, **d} for (i, _), d in zip(items, shown, strict=True)]


def _engine_error(error: FormworkError) -> ResponseReturnValue:
    if request.path.startswith(API_PREFIX):
        return jsonify(error_body(problems_of(error))), status_of(error)
    from web.pages.errors import engine_error_page

    return engine_error_page(error, status_of(error))


def _api_error(error: ApiError) -> ResponseReturnValue:
    locale = api_locale()
    shown = _indexed(error.items, locale) if error.items else error.dicts(locale)
    return jsonify(error_body(shown)), error.status, error.headers


def init_app(app: Flask) -> None:
    """The one handler of engine errors, for every blueprint, pages and API alike."""
    app.register_error_handler(FormworkError, _engine_error)
    app.register_error_handler(ApiError, _api_error)


__all__ = ["ApiError", "Problem", "error_body", "init_app", "problems_of", "status_of"]
