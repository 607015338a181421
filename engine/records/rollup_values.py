"""A rollup's value in SQL: the correlated aggregate, the columns it reads, the order of rollups.

Shared by the triggers that keep stored rollups current (rollup_triggers.py) and by the
rebuild and batch recomputation (rollups.py). `parent.<field>` in a `where` is the record
holding the rollup; a rollup may read another rollup of the summed module.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Numeric,
    Table,
    and_,
    cast,
    func,
    select,
    type_coerce,
)

from engine.catalog import Catalog
from engine.definitions.model import SYSTEM_COLUMNS, Field, Module
from engine.records.rollup_keys import key_conditions
from engine.records.rollup_names import rollup_resolver
from engine.records.rollup_rows import row_sources
from engine.sqltypes import ExactDecimal


def _scale(type_: Any) -> int:
    return type_.scale if isinstance(type_, ExactDecimal) else 0


def rollup_value(
    catalog: Catalog, module: Module, main: Table, field: Field, dialect: str
) -> ColumnElement[Any]:
    """The rollup of each row of `main`, computed afresh: a correlated aggregate subquery,
    in the representation of the field's own column (SQLite keeps decimals as scaled
    integers, so a sum at the summed field's scale is rescaled to the rollup's)."""
    rollup = field.rollup
    assert rollup is not None
    source = catalog.module(rollup.module)
    source_table: FromClause = catalog.tables[source.id].main.alias(f"r_{field.name}")
    if rollup.table is not None:  # the rows of a child table (engine/records/rollup_rows.py)
        source_table, conditions, resolve = row_sources(catalog, rollup, field, main)
    else:
        resolve = rollup_resolver(source_table, source, main)
        conditions = key_conditions(rollup, lambda name: source_table.c[name], main)
        if rollup.where is not None:
            conditions.append(rollup.where.to_sql(resolve))
    value = rollup.value.to_sql(resolve, aggregate=True)
    target = main.c[field.name].type
    raw: ColumnElement[Any] = type_coerce(value, Numeric())
    if dialect == "sqlite":
        shift = _scale(target) - _scale(value.type)
        if "avg" in rollup.value.functions or shift < 0:
            raw = cast(func.round(raw * (10.0**shift)), BigInteger)
        elif shift > 0:
            raw = raw * 10**shift
    subquery = select(raw).select_from(source_table).where(and_(*conditions)).scalar_subquery()
    if rollup.value.functions & {"sum", "count"}:
        return func.coalesce(subquery, 0)
    return subquery


def ordered_rollups(catalog: Catalog) -> list[tuple[Module, Field]]:
    """Every rollup of the catalog, each after the rollups it reads (rollups of rollups)."""
    pending = [(m, f) for m in catalog.modules.values() for f in m.rollup_fields]
    done: set[tuple[str, str]] = set()
    ordered: list[tuple[Module, Field]] = []
    while pending:
        ready = [(m, f) for m, f in pending if not (_reads(m, f, catalog) - done)]
        ready = ready or pending[:1]  # a cycle (refused at import): keep going anyway
        for item in ready:
            pending.remove(item)
            ordered.append(item)
            done.add((item[0].id, item[1].name))
    return ordered


def _reads(module: Module, field: Field, catalog: Catalog) -> set[tuple[str, str]]:
    """The rollups (module, field) that a rollup reads in the module it sums."""
    rollup = field.rollup
    assert rollup is not None
    source = catalog.modules.get(rollup.module)
    if source is None:
        return set()
    names = {ref[0] for ref in rollup_references(field) if len(ref) == 1}
    if rollup.table is not None and (table := source.field(rollup.table)) is not None:
        names -= {c.name for c in table.children}  # a row's column, not the owner's rollup
    return {(source.id, n) for n in names if (f := source.field(n)) and f.rollup is not None}


def rollup_references(field: Field) -> set[tuple[str, ...]]:
    rollup = field.rollup
    assert rollup is not None
    refs = set(rollup.value.references)
    if rollup.where is not None:
        refs |= rollup.where.references
    return refs


def source_columns(field: Field, source_table: Table) -> list[str]:
    """The summed table's columns the rollup reads: its link (or matched fields) first,
    then the others."""
    rollup = field.rollup
    assert rollup is not None
    names = [name for name, _ in rollup.keys]
    for ref in sorted(rollup_references(field)):
        column = SYSTEM_COLUMNS.get(ref[0], ref[0])
        if len(ref) == 1 and column in source_table.c and column not in names:
            names.append(column)
    return names


def parent_columns(field: Field, main: Table) -> list[str]:
    """The parent's own columns a `where` reads through `parent.<field>`, and those its
    `match` compares."""
    assert field.rollup is not None
    names = {SYSTEM_COLUMNS.get(r[1], r[1]) for r in rollup_references(field) if r[0] == "parent"}
    names |= {parent for _, parent in field.rollup.match}
    return sorted(n for n in names if n in main.c)
