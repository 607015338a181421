"""The web layer's own refusals by code: a request the API cannot even read or let in.

The engine's problems have their codes in engine/codes.py; these are HTTP's: no body, a
body that is not JSON, no credentials, an address too long, no route. They never reach the
engine, so web/ keeps their table: one English sentence per code (`str.format` over the
params, what an integrator reads by default) and one gettext message per code, made from
the same params, for a caller who asks for Chinese. A code missing from either table fails
tests/web/test_http_codes.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

Params = Mapping[str, Any]

ENGLISH: dict[str, str] = {
    # the request body (web/api/body.py)
    "body_required": "a JSON body is required",
    "content_type_missing": "send the body as application/json (got no Content-Type)",
    "not_json_content_type": "send the body as application/json (got {given})",
    "body_not_utf8": "the body is not UTF-8 text (byte {byte})",
    "json_too_deep": "the JSON nests deeper than {limit} levels",
    "json_invalid": (
        "malformed JSON at line {line}, column {column} (character {position}): {detail}"
    ),
    "json_constant": "invalid JSON: {name} is not a JSON number",
    "json_duplicate_key": "invalid JSON: the key {key!r} is written twice in one object",
    "json_number_invalid": "invalid JSON: {number!r} is not a number (line {line}, column {column})",
    "json_number_too_long": (
        "invalid JSON: the number {number} is longer than {limit} characters "
        "(line {line}, column {column})"
    ),
    "json_number_range": (
        "invalid JSON: the number {number} is out of range (its exponent must lie between "
        "-{limit} and {limit}) (line {line}, column {column})"
    ),
    "json_unreadable": "invalid JSON: {detail}",
    # credentials (web/api/context.py)
    "token_missing": (
        "this API needs an API token: send the header `Authorization: Bearer <token>`"
    ),
    "authorization_not_bearer": "the Authorization header must be `Bearer <token>`",
    "token_invalid": "the API token is unknown or revoked, or its user is deactivated",
    # batches (web/api/batch.py)
    "batch_size": "`records` is a list of 1 to {limit} items",
    "batch_refused": "the batch was refused; nothing was written",
    # the address and HTTP's own refusals (web/api/__init__.py, web/pages/errors.py)
    "request_line_too_long": (
        "the address with its query string is longer than {limit} bytes; "
        "send fewer or shorter filters"
    ),
    "no_route": "no API route {path}: see {openapi}",
    "method_not_allowed": "{method} is not allowed here; use {allowed}",
    "body_too_large": "the request body is larger than the limit of {limit} bytes",
    "bad_request": "the request could not be read",
    "forbidden": "you may not do this",
    "not_found": "nothing is found at {path}",
    "conflict": "the request conflicts with the current state",
    "unsupported_media_type": "this media type is not accepted here",
    "unprocessable": "the request could not be processed",
    "too_many_requests": "too many requests: wait a minute and try again",
    "csrf_failed": "the form's security token is missing or out of date",
    "internal_error": "internal error: nothing was written; the error is in the server's log",
    "http_error": "the request was refused ({status})",
}

TEXTS: dict[str, Callable[[Params], str]] = {
    "body_required": lambda p: _("Send a JSON body with this request."),
    "content_type_missing": lambda p: _(
        "Send the body as application/json (no Content-Type was given)."
    ),
    "not_json_content_type": lambda p: _(
        "Send the body as application/json (it was sent as %(given)s).", given=p.get("given")
    ),
    "body_not_utf8": lambda p: _("The body is not UTF-8 text (byte %(byte)s).", byte=p.get("byte")),
    "json_too_deep": lambda p: _(
        "The JSON nests deeper than %(limit)s levels.", limit=p.get("limit")
    ),
    "json_invalid": lambda p: _(
        "The JSON is malformed at line %(line)s, column %(column)s (character %(position)s).",
        line=p.get("line"),
        column=p.get("column"),
        position=p.get("position"),
    ),
    "json_constant": lambda p: _("%(name)s is not a JSON number.", name=p.get("name")),
    "json_duplicate_key": lambda p: _(
        "The key %(key)s is written twice in one object.", key=p.get("key")
    ),
    "json_number_invalid": lambda p: _(
        "%(number)s is not a number (line %(line)s, column %(column)s).", **_place(p)
    ),
    "json_number_too_long": lambda p: _(
        "The number %(number)s is longer than %(limit)s characters "
        "(line %(line)s, column %(column)s).",
        limit=p.get("limit"),
        **_place(p),
    ),
    "json_number_range": lambda p: _(
        "The number %(number)s is out of range: its exponent must lie between -%(limit)s and "
        "%(limit)s (line %(line)s, column %(column)s).",
        limit=p.get("limit"),
        **_place(p),
    ),
    "json_unreadable": lambda p: _("The body is not valid JSON."),
    "token_missing": lambda p: _(
        "This API needs an API token: send the header Authorization: Bearer <token>."
    ),
    "authorization_not_bearer": lambda p: _("The Authorization header must be Bearer <token>."),
    "token_invalid": lambda p: _(
        "The API token is unknown or revoked, or its user is deactivated."
    ),
    "batch_size": lambda p: _("records is a list of 1 to %(limit)s items.", limit=p.get("limit")),
    "batch_refused": lambda p: _("The batch was refused; nothing was written."),
    "request_line_too_long": lambda p: _(
        "The address with its query string is longer than %(limit)s bytes; "
        "send fewer or shorter filters.",
        limit=p.get("limit"),
    ),
    "no_route": lambda p: _(
        "There is no API route %(path)s; see %(openapi)s.",
        path=p.get("path"),
        openapi=p.get("openapi"),
    ),
    "method_not_allowed": lambda p: _(
        "%(method)s is not allowed here; use %(allowed)s.",
        method=p.get("method"),
        allowed=p.get("allowed"),
    ),
    "body_too_large": lambda p: _(
        "The request body is larger than the limit of %(limit)s bytes.", limit=p.get("limit")
    ),
    "bad_request": lambda p: _("The request could not be read."),
    "forbidden": lambda p: _("You may not do this."),
    "not_found": lambda p: _("Nothing is found at %(path)s.", path=p.get("path")),
    "conflict": lambda p: _("The request conflicts with the current state."),
    "unsupported_media_type": lambda p: _("This media type is not accepted here."),
    "unprocessable": lambda p: _("The request could not be processed."),
    "too_many_requests": lambda p: _("Too many attempts. Wait a minute and try again."),
    "csrf_failed": lambda p: _("The form's security token is missing or out of date."),
    "internal_error": lambda p: _(
        "Internal error: nothing was written; the error is in the server's log."
    ),
    "http_error": lambda p: _("The request was refused (%(status)s).", status=p.get("status")),
}

# HTTP errors raised by Flask or werkzeug (no route, a bad form, ...) → their code.
BY_STATUS: dict[int, str] = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    414: "request_line_too_long",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "internal_error",
}


def _place(params: Params) -> dict[str, Any]:
    return {k: params.get(k) for k in ("number", "line", "column")}


def english(code: str, params: Params) -> str:
    """The sentence of `code` in English, naming the values of `params`."""
    return ENGLISH[code].format_map(_Missing(params))


def http_message(code: str, params: Params, locale: str) -> str:
    """The sentence of `code` in `locale` (a Babel locale: en or zh_CN)."""
    if locale.startswith("en"):
        return english(code, params)
    with force_locale(locale):
        return TEXTS[code](params)


class _Missing(dict[str, Any]):
    """Params for `str.format_map` that show a missing one as `?` rather than fail."""

    def __missing__(self, key: str) -> str:
        return "?"
