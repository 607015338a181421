"""JSON text with exact numbers: Decimals are written as JSON numbers at their scale.

Money and decimal fields are Decimals from the database to the wire, so `342.00` leaves as
`342.00` — never through a binary float (`342.0`) and never as a string. The standard
library's encoder cannot write a Decimal as a number, so this small writer does; the REST
API's JSON provider and the webhook payloads both use it, so a record reads the same in a
response and in a delivery. Reading goes the other way with `loads` (floats become Decimals,
NaN and Infinity are refused: they are not JSON).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from engine.definitions.model import Module
from engine.kinds import json_value
from engine.numbers import read_decimal, read_int

if TYPE_CHECKING:  # engine.records imports the webhooks, which import this module
    from engine.records.model import Record

_string = json.JSONEncoder(ensure_ascii=False).encode


def dumps(value: Any, *, indent: int | None = None) -> str:
    """`value` as JSON text; Decimals as numbers at their scale, dates in ISO 8601.

    Raises TypeError for values JSON cannot hold (sets, objects) and ValueError for a
    non-finite number, rather than writing something a reader would reject.
    """
    parts: list[str] = []
    _write(value, parts, indent, 0)
    return "".join(parts)


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} cannot be written as JSON")
    text = format(value, "f")  # never exponent notation; the scale is kept: 342.00
    return "0" if text in ("-0", "0") else text


def _moment(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _write(value: Any, out: list[str], indent: int | None, depth: int) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        out.append(_number(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be written as JSON")
        out.append(float.__repr__(value))
    elif isinstance(value, dt.datetime):
        out.append(_string(_moment(value)))
    elif isinstance(value, dt.date):
        out.append(_string(value.isoformat()))
    elif isinstance(value, Mapping):
        _container(
            [(str(k) if not isinstance(k, str) else k, v) for k, v in value.items()],
            "{",
            "}",
            out,
            indent,
            depth,
        )
    elif isinstance(value, (list, tuple)):
        _container(list(value), "[", "]", out, indent, depth)
    else:
        raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def _container(
    items: list[Any], open_: str, close: str, out: list[str], indent: int | None, depth: int
) -> None:
    if not items:
        out.append(open_ + close)
        return
    out.append(open_)
    inner = "\n" + " " * (indent * (depth + 1)) if indent is not None else ""
    for index, item in enumerate(items):
        if index:
            out.append(",")
        out.append(inner)
        if open_ == "{":
            key, item = item
            out.append(_string(key))
            out.append(": " if indent is not None else ":")
        _write(item, out, indent, depth + 1)
    if indent is not None:
        out.append("\n" + " " * (indent * depth))
    out.append(close)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """Parse JSON text; numbers with a fraction or exponent become Decimals, NaN is refused.

    A number too long or too large to read safely raises `engine.numbers.NumberRefused`.
    """
    return json.loads(
        text, parse_float=read_decimal, parse_int=read_int, parse_constant=_refuse_constant
    )


def record_document(module: Module, record: Record) -> dict[str, Any]:
    """A record in the JSON shape of the API and of webhook payloads (DESIGN.md).

    Only the fields present in `record.data` are written, so a record masked for a reader
    keeps its hidden fields out; `titles` gives the linked records' titles by link field.
    """
    data = {}
    for name, value in record.data.items():
        field = module.field(name)
        data[name] = json_value(field, value) if field is not None else value
    return record_envelope(record, data)


def record_envelope(record: Record, data: dict[str, Any]) -> dict[str, Any]:
    """The document around a record's values already written as JSON: one shape for the
    API's answers (web/jsonio.py) and webhook payloads."""
    document: dict[str, Any] = {
        "id": record.id,
        "module": record.module,
        "number": record.number,
        "state": record.state,
        "version": record.version,
        "owner": record.owner,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "data": data,
        "titles": dict(record.titles),
    }
    if record.restricted:  # withheld from this reader: absent from data, named here
        document["restricted"] = sorted(record.restricted)
    return document
