"""What a person may choose when importing into a module: the columns' targets and the keys.

The import page offers, for each column of the file, the fields it may fill — exactly those
the importer's mapping accepts for this actor (engine/imports/mapping.py refuses the rest:
computed, read-only, hidden and file fields) — and, as the upsert key, the record number or
a field no two records share. Asking the mapping's own check keeps the page's choices and
the import's refusals one rule. A computed field is worked out by the engine, so no column
fills it.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.abilities import Abilities
from engine.definitions.model import Field, Module
from engine.imports.mapping import NUMBER, column_refusal, left_out, map_columns

__all__ = [
    "NUMBER",
    "Target",
    "import_keys",
    "import_targets",
    "number_columns",
]


@dataclass(frozen=True)
class Target:
    """A field a column may fill: `field`, or `table.column` for a child table's column."""

    id: str
    field: Field
    column: Field | None = None


def _candidates(module: Module) -> list[Target]:
    found = []
    for f in module.fields:
        if f.kind_type.rows:
            found += [Target(f"{f.name}.{c.name}", f, c) for c in f.children]
        else:
            found.append(Target(f.name, f))
    return found


def import_targets(module: Module, may: Abilities) -> list[Target]:
    """The fields (and child columns) `may.actor` may fill from a column, in the pack's order."""
    return [
        t
        for t in _candidates(module)
        if not left_out(module, t.id, may) and column_refusal("", t.id, module, may) is None
    ]


def import_keys(module: Module, may: Abilities) -> list[str]:
    """What may identify the record a row updates: the number, then each unique field."""
    writable = {t.id for t in import_targets(module, may)}
    return [NUMBER, *(f.name for f in module.fields if f.unique and f.name in writable)]


def number_columns(module: Module, may: Abilities, headers: list[str]) -> set[str]:
    """The headers the engine reads as the record number by itself: they gather a record's
    rows even where they are not the key, so the page shows them as the number."""
    found = map_columns(module, headers, may).columns
    return {header for header, target in found.items() if target == NUMBER}
