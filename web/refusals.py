"""What an HTTP refusal is made of, below every other web module: the JSON error body,
the API's own refusals and the language an API caller reads.

Kept apart from `web/errors.py` (which finds the answer to an error and renders the error
page) so that request-body readers, the API helpers and the page errors can use them
without importing one another in a circle. A refusal carries a code of web/http_codes.py
and its params; its sentence is made in the caller's language when it is answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from engine.errors import Problem
from web.http_codes import BY_STATUS, ENGLISH, english, http_message
from web.i18n import TAGS

API_LANGUAGES = ("en", "zh-CN")


def error_body(problems: list[dict[str, Any]]) -> dict[str, Any]:
    """`{"errors": [...]}`: the JSON body of every refusal."""
    return {"errors": problems}


class ApiError(Exception):
    """An HTTP-level refusal that is not an engine rule: no credentials, a bad body, ...

    `code` is a key of web/http_codes.py; `items` are the indexed engine problems of a
    refused batch, answered instead of the code's own sentence.
    """

    def __init__(
        self,
        status: int,
        code: str,
        params: Mapping[str, Any] | None = None,
        *,
        path: str = "",
        headers: dict[str, str] | None = None,
        items: Sequence[tuple[int, Problem]] = (),
    ):
        if code not in ENGLISH:
            raise ValueError(f"no refusal code {code!r} in web/http_codes.py")
        self.status = status
        self.code = code
        self.params: Mapping[str, Any] = dict(params or {})
        self.path = path
        self.headers = headers or {}
        self.items = list(items)
        super().__init__(english(code, self.params))

    def dicts(self, locale: str) -> list[dict[str, Any]]:
        """The refusal as the `errors` list, its message in `locale`."""
        message = http_message(self.code, self.params, locale)
        return [{"path": self.path, "code": self.code, "message": message}]


def http_refusal(error: HTTPException) -> ApiError:
    """A werkzeug HTTP error (no route, wrong method, too large, ...) as a coded refusal."""
    status = error.code or 500
    code = BY_STATUS.get(status, "http_error")
    params: dict[str, Any] = {"status": status, "path": request.path}
    if status == 413:
        params["limit"] = request.max_content_length
    if status == 405:
        allowed = list(getattr(error, "valid_methods", None) or [])
        params |= {"method": request.method, "allowed": ", ".join(allowed) or "?"}
    return ApiError(status, code, params)


def refusal_response(refusal: ApiError) -> ResponseReturnValue:
    """The JSON answer of a refusal without batch items, in the caller's language."""
    return jsonify(error_body(refusal.dicts(api_locale()))), refusal.status, refusal.headers


def api_language() -> str:
    """`?lang=` when given (en or zh-CN), else the best match of Accept-Language, else en."""
    asked = request.args.get("lang")
    if asked in API_LANGUAGES:
        return asked
    return request.accept_languages.best_match(API_LANGUAGES) or "en"


def api_locale() -> str:
    """The Babel locale of an API answer: `?lang=`, else Accept-Language, else English."""
    return TAGS.get(api_language(), "en")
