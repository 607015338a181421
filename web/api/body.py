"""Reading a request's JSON body strictly: media type, size, encoding, syntax, exact numbers.

Every refusal names its reason: 415 for a body that is not `application/json`, 413 past the
size limit (the API blueprint sets it per request), 400 for text that is not UTF-8 or not
JSON — with the line, column and character where parsing stopped — and for NaN, Infinity or
a key written twice in one object; 422 naming each string that holds a NUL character or a
lone surrogate (web/params.py), which no text column can store. Numbers with a fraction are
read as Decimals, so money sent as `342.10` is never rounded through a binary float.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request

from engine.errors import ValidationFailed
from engine.numbers import NumberRefused, read_decimal, read_int
from web.params import text_problems
from web.refusals import ApiError

MAX_DEPTH = 64


class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Duplicate(f"the key {key!r} is written twice in one object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _depth(text: str) -> int:
    """How deeply brackets nest (outside strings): refused early past MAX_DEPTH."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _place(text: str, number: str) -> str:
    """Where `number` first appears in `text`, as line and column (the hooks get no position)."""
    position = text.find(number.removesuffix("..."))
    if position < 0:
        return "position unknown"
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)
    return f"line {line}, column {column}"


def is_json_type() -> bool:
    mimetype = request.mimetype or ""
    return mimetype == "application/json" or mimetype.endswith("+json")


def json_body(*, required: bool = True) -> Any:
    """The parsed JSON body, or None when it is empty and not `required`."""
    raw = request.get_data(cache=True)  # 413 past the request's max_content_length
    if not raw.strip():
        if required:
            raise ApiError(400, "a JSON body is required")
        return None
    if not is_json_type():
        given = request.mimetype or "no Content-Type"
        raise ApiError(415, f"send the body as application/json (got {given})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, f"the body is not UTF-8 text (byte {error.start})") from None
    if _depth(text) > MAX_DEPTH:
        raise ApiError(400, f"the JSON nests deeper than {MAX_DEPTH} levels")
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
        raise ApiError(400, f"invalid JSON: {error} ({_place(text, error.text)})") from None
    except json.JSONDecodeError as error:
        raise ApiError(
            400,
            f"malformed JSON at line {error.lineno}, column {error.colno} "
            f"(character {error.pos}): {error.msg}",
        ) from None
    except ValueError as error:  # NaN / Infinity, a repeated key, an over-long integer
        raise ApiError(400, f"invalid JSON: {error}") from None
