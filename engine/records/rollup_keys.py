"""What ties a summed row to the record holding a rollup: a link, or fields that match.

A rollup names either `link` (a field of the summed record pointing at the parent: the
parent's id) or `match` (`{"material": "material", "project": "project"}`: every named field
of the summed record equals the parent's field). `Rollup.keys` gives both as (summed side,
parent) pairs. For a rollup over child-table rows a summed-side name is a column of the row
when the table has one, else a field of the record owning the row. The triggers and the
batch recomputation ask here which parents a written row matched (before and after).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Table, and_, exists, or_, select

from engine.catalog import Catalog
from engine.definitions.model import SYSTEM_COLUMNS, Rollup

Side = Callable[[str], Any]  # a summed-side name → its SQL value (a column, OLD.x, a subquery)


def split_keys(catalog: Catalog, rollup: Rollup) -> tuple[list[str], list[str]]:
    """The summed-side key names on the rows of a child table and on their owning record
    (for a rollup over records every key is the record's own)."""
    if rollup.table is None:
        return [s for s, _ in rollup.keys], []
    rows = catalog.tables[rollup.module].children[rollup.table]
    on_rows = [s for s, _ in rollup.keys if s in rows.c and s not in RESERVED]
    on_owner = [SYSTEM_COLUMNS.get(s, s) for s, _ in rollup.keys if s not in on_rows]
    return on_rows, on_owner


RESERVED = frozenset({"parent_id", "idx"})


def key_conditions(rollup: Rollup, side: Side, main: FromClause) -> list[ColumnElement[bool]]:
    """A summed row (its names through `side`) belongs to the row of `main`."""
    return [side(s) == main.c[p] for s, p in rollup.keys]


def matched_parents(rollup: Rollup, main: Table, sides: Sequence[Side]) -> ColumnElement[bool]:
    """The parents a written row matched, once per version of it (`OLD`, `NEW`): the ids a
    link names, or the records whose fields equal the row's."""
    if rollup.link is not None:
        return main.c.id.in_([side(rollup.link) for side in sides])
    return or_(*(and_(*key_conditions(rollup, side, main)) for side in sides))


def rows_side(catalog: Catalog, rollup: Rollup, row: Side, owner_id: Any) -> Side:
    """Names of a child row written: its own columns through `row`, its owning record's
    fields read by id (`owner_id`, the row's `parent_id`)."""
    assert rollup.table is not None
    on_rows, _ = split_keys(catalog, rollup)
    owner = catalog.tables[rollup.module].main

    def side(name: str) -> Any:
        if name in on_rows:
            return row(name)
        column = owner.c[SYSTEM_COLUMNS.get(name, name)]
        return select(column).where(owner.c.id == owner_id).scalar_subquery()

    return side


def owner_parents(
    catalog: Catalog, rollup: Rollup, main: Table, owner_id: Any, owners: Sequence[Side]
) -> ColumnElement[bool]:
    """The parents the rows of one owning record match, its fields read through each of
    `owners` (its values before and after a change)."""
    assert rollup.table is not None
    rows = catalog.tables[rollup.module].children[rollup.table]
    on_rows, _ = split_keys(catalog, rollup)
    if rollup.link is not None:
        return main.c.id.in_(select(rows.c[rollup.link]).where(rows.c.parent_id == owner_id))
    on_row = [rows.c[s] == main.c[p] for s, p in rollup.match if s in on_rows]
    has_row = exists().where(rows.c.parent_id == owner_id, *on_row)
    by_owner = [(s, p) for s, p in rollup.match if s not in on_rows]
    if not by_owner:
        return has_row
    versions = [and_(*(owner(s) == main.c[p] for s, p in by_owner)) for owner in owners]
    return and_(has_row, or_(*versions))


def owner_gone(catalog: Catalog, rollup: Rollup, main: Table, old: Side) -> ColumnElement[bool]:
    """The parents an owning record's deleted rows may have matched: those agreeing with its
    own key fields (its rows may already be gone when the trigger runs)."""
    on_rows, _ = split_keys(catalog, rollup)
    return and_(*(old(s) == main.c[p] for s, p in rollup.match if s not in on_rows))


def batch_parents(
    catalog: Catalog, rollup: Rollup, main: Table, ids: Sequence[str]
) -> ColumnElement[bool]:
    """The parents the new records `ids` (or their child rows) match."""
    tables = catalog.tables[rollup.module]
    source = tables.main.alias("b_source")
    if rollup.table is None:
        if rollup.link is not None:
            return main.c.id.in_(select(source.c[rollup.link]).where(source.c.id.in_(ids)))
        ties = key_conditions(rollup, lambda s: source.c[s], main)
        return exists().where(source.c.id.in_(ids), *ties)
    rows = tables.children[rollup.table].alias("b_rows")
    if rollup.link is not None:
        return main.c.id.in_(select(rows.c[rollup.link]).where(rows.c.parent_id.in_(ids)))
    on_rows, _ = split_keys(catalog, rollup)

    def side(name: str) -> Any:
        return rows.c[name] if name in on_rows else source.c[SYSTEM_COLUMNS.get(name, name)]

    ties = key_conditions(rollup, side, main)
    joined = rows.join(source, source.c.id == rows.c.parent_id)
    return exists(select(rows.c.parent_id).select_from(joined).where(source.c.id.in_(ids), *ties))
