"""Rollups over child-table rows: `{"module": "goods_receipt", "table": "lines", "link": ...}`.

The summed rows are those of another module's child table (`m_goods_receipt__lines`) whose
link column (`lines.material`) points at the record holding the rollup. In `value` and
`where` a bare name is a column of the row when the table has one, else a stored field of
the record owning the row (the receipt); `$state` and the other system values are always
the owning record's; `parent.<field>` is the record holding the rollup. So a row is
counted while its receipt is received: the triggers watch the child table and the owning
table's columns the rollup reads (engine/records/rollup_triggers.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, Table

from engine.catalog import Catalog
from engine.definitions.model import SYSTEM_COLUMNS, Field, Module, Rollup
from engine.expressions.sql import Resolve
from engine.records.rollup_keys import RESERVED, key_conditions, split_keys
from engine.records.rollup_names import rollup_resolver


def row_resolver(
    rows: FromClause, owner: FromClause, module: Module, table: Field, parent: Table | None
) -> Resolve:
    """Names of a child-row rollup: the row's columns, then its owning record's fields."""
    columns = {c.name for c in table.children if c.stored}
    on_owner = rollup_resolver(owner, module, parent)

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        if len(path) == 1 and path[0] in columns and not path[0].startswith("$"):
            return rows.c[path[0]]
        return on_owner(path)

    return resolve


def row_sources(
    catalog: Catalog, rollup: Rollup, field: Field, main: Table
) -> tuple[FromClause, list[ColumnElement[bool]], Resolve]:
    """The FROM (rows joined to their owning record), the conditions tying a row to a
    parent of `main`, and the resolver of the rollup's names."""
    assert rollup.table is not None
    source = catalog.module(rollup.module)
    tables = catalog.tables[source.id]
    rows = tables.children[rollup.table].alias(f"r_{field.name}")
    owner = tables.main.alias(f"o_{field.name}")
    table_field = source.field(rollup.table)
    assert table_field is not None
    resolve = row_resolver(rows, owner, source, table_field, main)
    joined = rows.join(owner, owner.c.id == rows.c.parent_id)
    on_rows, _ = split_keys(catalog, rollup)

    def side(name: str) -> ColumnElement[Any]:
        return rows.c[name] if name in on_rows else owner.c[SYSTEM_COLUMNS.get(name, name)]

    conditions = key_conditions(rollup, side, main)
    if rollup.where is not None:
        conditions.append(rollup.where.to_sql(resolve))
    return joined, conditions, resolve


def row_columns(catalog: Catalog, field: Field) -> tuple[list[str], list[str]]:
    """The child table's columns the rollup reads (its link or matched columns first), and
    the owning record's columns (its matched fields, `$state` as `state`)."""
    rollup = field.rollup
    assert rollup is not None and rollup.table is not None
    source = catalog.module(rollup.module)
    tables = catalog.tables[source.id]
    rows, owner = tables.children[rollup.table], tables.main
    refs = set(rollup.value.references) | (rollup.where.references if rollup.where else set())
    on_rows, on_owner = split_keys(catalog, rollup)
    for ref in sorted(refs):
        if len(ref) != 1:
            continue
        name = ref[0]
        if not name.startswith("$") and name in rows.c and name not in RESERVED:
            if name not in on_rows:
                on_rows.append(name)
            continue
        column = SYSTEM_COLUMNS.get(name, name)
        if column in owner.c and column not in on_owner:
            on_owner.append(column)
    return on_rows, on_owner


def row_inputs(catalog: Catalog, field: Field) -> frozenset[str]:
    """The summed module's fields a reader must see: the child table itself, and the
    owning record's fields the rollup reads (the trust rule)."""
    rollup = field.rollup
    assert rollup is not None and rollup.table is not None
    _, on_owner = row_columns(catalog, field)
    names = {rollup.table}
    names |= {n for n in on_owner if n not in SYSTEM_COLUMNS.values()}
    return frozenset(names)
