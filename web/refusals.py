"""What an HTTP refusal is made of, below every other web module: the JSON error body,
the API's own refusals and the language an API caller reads.

Kept apart from `web/errors.py` (which finds the answer to an error and renders the error
page) so that request-body readers, the API helpers and the page errors can use them
without importing one another in a circle.
"""

from __future__ import annotations

from typing import Any

from flask import request

API_LANGUAGES = ("en", "zh-CN")


def error_body(problems: list[dict[str, Any]] | str, path: str = "") -> dict[str, Any]:
    """`{"errors": [...]}` from problems, or from one message about `path`."""
    if isinstance(problems, str):
        problems = [{"path": path, "code": "request", "message": problems}]
    return {"errors": problems}


class ApiError(Exception):
    """An HTTP-level refusal that is not an engine rule: no credentials, a bad body, ..."""

    def __init__(
        self,
        status: int,
        message: str,
        path: str = "",
        headers: dict[str, str] | None = None,
        problems: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.problems = problems or [{"path": path, "code": "request", "message": message}]
        self.headers = headers or {}


def api_language() -> str:
    """`?lang=` when given (en or zh-CN), else the best match of Accept-Language, else en."""
    asked = request.args.get("lang")
    if asked in API_LANGUAGES:
        return asked
    return request.accept_languages.best_match(API_LANGUAGES) or "en"
