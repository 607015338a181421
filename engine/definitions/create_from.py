"""A module's `create_from`: the records it may be made from, compiled (model.py re-exports it).

Each entry names a source module, when its records may serve (`when`, over the source), how
the source's fields fill the new record's (`map`: target field → source field), how child
tables are copied (`children`: target table → source table and a column map), which link of
the new record points back at its source (`link`) and the button's title.
engine/records/create_from.py turns one into the pre-filled values of a new record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.expressions import Expression, parse


@dataclass(frozen=True)
class ChildCopy:
    """A child table filled from a child table of the source, row by row."""

    source: str
    columns: Mapping[str, str]  # target column → source column


@dataclass(frozen=True)
class CreateFrom:
    """One way to make a record of this module from a record of `module`."""

    module: str
    fields: Mapping[str, str] = field(default_factory=dict)  # target field → source field
    children: Mapping[str, ChildCopy] = field(default_factory=dict)
    when: Expression | None = None
    link: str | None = None
    title: Any = None


def compile_create_from(raw: Any) -> tuple[CreateFrom, ...]:
    """The compiled `create_from` list (the meta-schema and check_create_from passed it)."""
    return tuple(
        CreateFrom(
            module=entry["module"],
            fields=dict(entry.get("map") or {}),
            children={
                table: ChildCopy(copy["from"], dict(copy.get("map") or {}))
                for table, copy in (entry.get("children") or {}).items()
            },
            when=parse(entry["when"]) if entry.get("when") else None,
            link=entry.get("link"),
            title=entry.get("title"),
        )
        for entry in raw or ()
    )
