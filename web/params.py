"""Whole numbers and text as they arrive in a request: strict, so odd input is a 4xx.

`str.isdigit()` is true for superscripts (`²`) and other digits `int()` refuses, and `int()`
itself accepts `1_000`, Arabic-Indic digits and surrounding blanks, and raises past 4,300
digits. Every number a URL, query string, form or JSON body gives (a version, a page, a
limit, a row index) is read here instead: ASCII digits, bounded length, or None.

Text is checked here as well. A NUL character cannot be stored in a PostgreSQL text column,
and a lone UTF-16 surrogate (`"\\ud800"` in JSON) is not a character at all: neither can be
written or even encoded as UTF-8, so both are refused where they come in, with their place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from flask import abort, request
from werkzeug.datastructures import MultiDict

from engine.errors import NotFound, Problem, ValidationFailed

DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)
MAX_BIGINT = 2**63 - 1


def whole_number(raw: Any) -> int | None:
    """`raw` as a non-negative integer when it is one (an int, or ASCII digits), else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 <= raw <= MAX_BIGINT else None
    if isinstance(raw, str) and DIGITS.fullmatch(raw):
        value = int(raw)
        return value if value <= MAX_BIGINT else None
    return None


def shown(value: Any, limit: int = 40) -> str:
    """A value quoted for an error message, cut short: input is never echoed back unbounded."""
    text = str(value) if isinstance(value, Decimal) else repr(value)  # 324.0, not Decimal('324.0')
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-1]}"


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text (a NUL or a lone surrogate), or None if it can.

    The answer is a problem code (engine/codes.py).
    """
    if "\x00" in value:
        return "nul_character"
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        return "lone_surrogate"
    return None


def _pointer(path: str, key: object) -> str:
    return f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"


def text_problems(value: Any, path: str = "") -> Iterator[Problem]:
    """Every string (keys included) in a parsed JSON value that text cannot hold, by place."""
    if isinstance(value, str):
        reason = text_problem(value)
        if reason is not None:
            yield Problem(path, reason)  # the code
    elif isinstance(value, dict):
        for key, item in value.items():
            reason = text_problem(key)
            if reason is None:
                yield from text_problems(item, _pointer(path, key))
                continue
            # the path names the key with its bad characters escaped, so it can be written
            printable = key.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\0")
            yield Problem(_pointer(path, printable), f"key_{reason}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from text_problems(item, _pointer(path, index))


def nul_problems(
    source: MultiDict[str, str], place: Callable[[str], str] = lambda key: key
) -> list[Problem]:
    """A problem for each key of a query string or form whose name or value holds a NUL."""
    return [
        Problem(place(key.replace("\x00", "\\0")), "nul_character")
        for key, values in source.lists()
        if "\x00" in key or any("\x00" in value for value in values)
    ]


def refuse_unstorable_text() -> None:
    """Before every request: a NUL in the path or the query string is refused.

    A path segment (a module, record or pack id) holding one names nothing, so it is 404; a
    query value holding one is 422 naming the parameter in the API, 400 elsewhere (not every
    blueprint renders engine errors). Lone surrogates cannot arrive this
    way (werkzeug decodes URLs and forms with replacement). JSON bodies are checked where
    they are read (web/api/body.py), page forms where they are parsed (web/pages/formdata.py),
    after the page has set its upload limit.
    """
    if request.routing_exception is not None:
        return  # no route: the 404 or 405 answers it
    if any(isinstance(v, str) and "\x00" in v for v in (request.view_args or {}).values()):
        raise NotFound(code="unknown_id")
    problems = nul_problems(request.args)
    if problems and "api" in request.blueprints:
        raise ValidationFailed(problems)
    if problems:  # a page, a static file, the health check: the localized 400 page
        abort(400)
