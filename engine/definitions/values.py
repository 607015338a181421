"""Whether a value written in a pack fits its field: defaults, migration defaults, seed data.

A pack carries values in several places besides records. Each must satisfy its own field's
JSON Schema (with formats) and, for decimals, the field's scale, exactly as a record value
would have to, so a default can never make a record invalid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonschema import Draft202012Validator

from engine.definitions.context import pointer
from engine.definitions.model import Field


def _schema_for_values(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The field schema without a `pattern` that Python cannot compile (reported elsewhere)."""
    plain = dict(schema)
    pattern = plain.get("pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error:
            del plain["pattern"]
    return plain


def _scale_problem(info: Field, value: Any) -> str | None:
    scale = info.schema.get("x-scale")
    if not info.kind_type.exact or not isinstance(scale, int) or isinstance(value, bool):
        return None
    if not isinstance(value, (int, float)):
        return None
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except InvalidOperation:
        return None
    if isinstance(exponent, int) and -exponent > scale:
        return f"{value} has more than {scale} decimal places"
    return None


def _moment_problem(info: Field, value: Any) -> str | None:
    if not info.kind_type.aware or not isinstance(value, str):
        return None
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return f"{value!r} is not a date-time such as 2026-03-01T08:30:00Z"
    return None


def value_problems(info: Field, value: Any) -> list[str]:
    """Messages for `value` as a value of the field `info`; empty when it fits."""
    validator = Draft202012Validator(
        _schema_for_values(info.schema), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    messages = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path))):
        place = pointer(error.absolute_path)
        messages.append(f"{place}: {error.message}" if place else error.message)
    if messages:
        return messages
    own = _scale_problem(info, value) or _moment_problem(info, value)
    if own:
        return [own]
    if info.kind_type.rows and isinstance(value, list):
        for row_index, row in enumerate(value):
            if not isinstance(row, Mapping):
                continue
            for name, cell in row.items():
                column = info.columns.get(name)
                problem = column and (_scale_problem(column, cell) or _moment_problem(column, cell))
                if problem:
                    messages.append(f"/{row_index}/{name}: {problem}")
    return messages
