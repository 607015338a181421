"""Reading a request's JSON body strictly: media type, size, encoding, syntax, exact numbers.

Every refusal names its reason by a code of web/http_codes.py: 415 for a body that is not `application/json`, 413 past the
size limit (the API blueprint sets it per request), 400 for text that is not UTF-8 or not
JSON — with the line, column and character where parsing stopped — and for NaN, Infinity or
a key written twice in one object; 422 naming each string that holds a NUL character or a
lone surrogate (web/params.py), which no text column can store. Numbers with a fraction are
read as Decimals, so money sent as `342.10` is never rounded through a binary float.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from engine.errors import ValidationFailed
from engine.numbers import MAX_EXPONENT, MAX_NUMBER_CHARS, NumberRefused, read_decimal, read_int
from web.params import text_problems
from web.refusals import ApiError

MAX_DEPTH = 64
# The limit each reason a number is refused for names (engine/numbers.py).
_LIMITS = {"invalid": None, "too_long": MAX_NUMBER_CHARS, "range": MAX_EXPONENT}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ApiError(400, "json_duplicate_key", {"key": key})
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ApiError(400, "json_constant", {"name": name})


# A JSON string (closed, or running to the end of a broken text) and anything not a bracket
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _depth(text: str) -> int:
    """How deeply brackets nest (outside strings): refused early past MAX_DEPTH.

    The strings and everything but brackets are cut out by regular expressions first, so
    only the brackets are walked in Python (a 1,000-record batch: a few thousand, not
    300,000 characters).
    """
    depth = deepest = 0
    for ch in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        else:
            depth -= 1
    return deepest


def _place(text: str, number: str) -> dict[str, int | str]:
    """Where `number` first appears in `text`, as line and column (the hooks get no position)."""
    position = text.find(number.removesuffix("..."))
    if position < 0:
        return {"line": "?", "column": "?"}
    line = text.count("\n", 0, position) + 1
    return {"line": line, "column": position - text.rfind("\n", 0, position)}


def is_json_type() -> bool:
    mimetype = request.mimetype or ""
    return mimetype == "application/json" or mimetype.endswith("+json")


def json_body(*, required: bool = True) -> Any:
    """The parsed JSON body, or None when it is empty and not `required`."""
    raw = request.get_data(cache=True)  # 413 past the request's max_content_length
    if not raw.strip():
        if required:
            raise ApiError(400, "body_required")
        return None
    if not request.mimetype:
        raise ApiError(415, "content_type_missing")
    if not is_json_type():
        raise ApiError(415, "not_json_content_type", {"given": request.mimetype})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, "body_not_utf8", {"byte": error.start}) from None
    if _depth(text) > MAX_DEPTH:
        raise ApiError(400, "json_too_deep", {"limit": MAX_DEPTH})
    value = _parse(text)
    # A NUL or a lone surrogate can only arrive escaped (\u0000, \ud800): look only then.
    if "\\u" in text:
        problems = list(text_problems(value))
        if problems:
            raise ValidationFailed(problems)
    return value


def _parse(text: str) -> Any:
    """JSON text → value with exact numbers; 400 naming where and why it is not JSON."""
    try:
        return json.loads(
            text,
            parse_float=read_decimal,  # bounded: `1e1000000` is refused before conversion
            parse_int=read_int,
            parse_constant=_refuse_constant,
            object_pairs_hook=_no_duplicates,
        )
    except NumberRefused as error:
        params = {"number": error.text, "limit": _LIMITS[error.code], **_place(text, error.text)}
        raise ApiError(400, f"json_number_{error.code}", params) from None
    except json.JSONDecodeError as error:
        place = {"line": error.lineno, "column": error.colno, "position": error.pos}
        raise ApiError(400, "json_invalid", {**place, "detail": error.msg}) from None
    except ValueError as error:  # none is known; the hooks above name their own reasons
        raise ApiError(400, "json_unreadable", {"detail": str(error)}) from None
