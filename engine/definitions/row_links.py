"""Links to one child row of another record: the row key of a table, the row a field names.

A child table's rows are rewritten on every save, so their place (`idx`) is no identity. A
table that declares `"x-row-key": "no"` names each row by that column instead (required and
unique within the record, checked on every write); a field that declares
`"x-row": {"link": "inspection", "table": "findings"}` holds one such key, and its link field
of the same record names the record whose row it is. The pair is the row's identity: the record
is chosen once (the link), the row by its key (docs/pack-extensions.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RowLink:
    """Where a row-link field points: its record through `link`, the row in `table`."""

    link: str
    table: str


def row_link(field: Any) -> RowLink | None:
    """The row a field points at (`x-row`), or None for any other field."""
    raw = field.schema.get("x-row")
    if not isinstance(raw, Mapping):
        return None
    return RowLink(str(raw.get("link")), str(raw.get("table")))


def row_key(field: Any) -> str | None:
    """The column that names each row of a child table (`x-row-key`), or None."""
    value = field.schema.get("x-row-key")
    return value if isinstance(value, str) else None


def row_title(field: Any) -> str | None:
    """The column shown beside a row's key where another record points at it."""
    value = field.schema.get("x-row-title")
    return value if isinstance(value, str) else None
