"""JSON in and out of the web app: exact decimals, ISO dates, the record shape of DESIGN.md.

`ExactJSONProvider` replaces Flask's JSON provider, so `jsonify` and every JSON response
write Decimals as numbers at their scale (`342.00`), dates and times in ISO 8601 (UTC,
`Z`), and keep the order of keys as built (a record reads `id, module, number, ...`). It
also reads JSON with floats as Decimals, so money sent to the API stays exact. The writer
itself is `engine.exactjson`, shared with webhook payloads.

`fast_dumps` writes the same text several times faster for large answers (a batch of
1,000 records): the standard library's C encoder does the work, each Decimal passing
through it as a marked string that is then unwrapped into the bare number. Should any
text of the value itself look like a mark, the count of marks tells, and the exact
writer is used instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask.json.provider import JSONProvider

from engine.definitions.model import Field, Module
from engine.exactjson import (  # the exact writer's own rules, shared
    _moment,
    _number,
    dumps,
    loads,
    record_envelope,
)
from engine.kinds import KINDS
from engine.kinds.base import same
from engine.records.model import Record


class ExactJSONProvider(JSONProvider):
    """Flask's JSON provider with exact decimals (see the module docstring)."""

    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return dumps(obj, indent=kwargs.get("indent"))

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


Convert = Callable[[Any], Any]
_PLANS: dict[int, tuple[Module, dict[str, Convert | None]]] = {}  # by id(module), module kept
MAX_PLANS = 64  # modules are recompiled on an upgrade: old plans are dropped past this


def _converter(field: Field) -> Convert | None:
    """How `json_value` turns a value of `field` into JSON; None when it keeps it as is."""
    if field.children:
        columns = [(child.name, _converter(child)) for child in field.children]

        def rows(value: Any) -> list[dict[str, Any]]:
            return [
                {
                    name: row.get(name) if convert is None else convert(row.get(name))
                    for name, convert in columns
                }
                for row in value or []
            ]

        return rows
    convert = KINDS[field.kind].to_json
    return None if convert is same else convert


def _plan(module: Module) -> dict[str, Convert | None]:
    kept = _PLANS.get(id(module))
    if kept is not None and kept[0] is module:
        return kept[1]
    if len(_PLANS) >= MAX_PLANS:
        _PLANS.clear()
    plan = {field.name: _converter(field) for field in module.fields}
    _PLANS[id(module)] = (module, plan)
    return plan


def record_json(module: Module, record: Record) -> dict[str, Any]:
    """A record (already masked for its reader) as the API writes it.

    The same document as `engine.exactjson.record_document` (a test holds them equal), with
    each field's conversion looked up once per module rather than once per value: a batch
    answer writes 1,000 records.
    """
    plan = _plan(module)
    data = {}
    for name, value in record.data.items():
        convert = plan.get(name)
        data[name] = value if convert is None else convert(value)
    return record_envelope(record, data)


_MARK = "\x00\x01"  # no text the API takes holds a NUL (web/params.py), let alone this pair
_MARKED = re.compile(r'"\\u0000\\u0001([^"]*)"')


def fast_dumps(value: Any) -> str:
    """`value` as `dumps` writes it (no indent), with the standard library's C encoder."""
    marks = 0

    def other(item: Any) -> str:
        nonlocal marks
        if isinstance(item, Decimal):
            marks += 1
            return _MARK + _number(item)
        if isinstance(item, dt.datetime):
            return _moment(item)
        if isinstance(item, dt.date):
            return item.isoformat()
        raise TypeError(f"{type(item).__name__} cannot be written as JSON")

    try:
        text = json.dumps(
            value,
            ensure_ascii=False,
            separators=(",", ":"),
            allow_nan=False,
            default=other,
        )
    except (TypeError, ValueError):  # the exact writer names the value in its own words
        return dumps(value)
    unwrapped, count = _MARKED.subn(r"\1", text)
    return unwrapped if count == marks else dumps(value)
