"""A module's record constraints: its JSON Schema reduced, at compile time, to what coercion
does not already check.

Marshmallow enforces types, choices and dates when input is coerced; the JSON Schema pass
over a record keeps only the constraints it adds (ranges, lengths, patterns, sizes...), which
makes it cheap. Rollups are left out (they are not stored), and so is `required` (checked by
name, taking `show_if` and `required_if` into account). The compiled module carries the
result, so nothing downstream reads the pack's raw schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

COERCED_KEYWORDS = frozenset(
    {"type", "enum", "required", "title", "description", "default", "readOnly", "$schema"}
    | {"unique"}  # enforced by the module's UNIQUE index (engine/records/uniqueness.py)
)
COERCED_FORMATS = frozenset({"date", "date-time"})


def record_constraints(schema: Mapping[str, Any], rollups: Iterable[str]) -> dict[str, Any]:
    """The constraints of `schema` a record is checked against, without the `rollups`."""
    reduced = dict(_constraints(schema))
    properties = dict(reduced.get("properties", {}))
    for name in rollups:
        properties.pop(name, None)
    if properties:
        reduced["properties"] = properties
    else:
        reduced.pop("properties", None)
    return reduced


def _constraints(schema: Any) -> Any:
    if not isinstance(schema, Mapping):
        return schema
    pruned: dict[str, Any] = {}
    for key, value in schema.items():
        if key in COERCED_KEYWORDS or key.startswith("x-"):
            continue
        if key == "format" and value in COERCED_FORMATS:
            continue
        if key == "properties":
            kept = {name: _constraints(sub) for name, sub in value.items()}
            kept = {name: sub for name, sub in kept.items() if sub}
            if kept:
                pruned[key] = kept
        elif key == "items":
            sub = _constraints(value)
            if sub:
                pruned[key] = sub
        else:
            pruned[key] = value
    return pruned
