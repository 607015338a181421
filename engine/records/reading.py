"""Reading records: one SELECT with rollups and link titles, one per child table, masking.

Shared by `get_record` and `list_records`, so a page of records costs the same few
statements whatever the number of link or rollup columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, func, literal, select
from sqlalchemy.orm import Session

from engine.catalog import Catalog
from engine.definitions.model import SYSTEM_COLUMN_NAMES, SYSTEM_COLUMNS, Field, Module
from engine.errors import ExpressionError
from engine.records.model import Record

SYSTEM = SYSTEM_COLUMN_NAMES


def resolver(table: Table, module: Module):  # type: ignore[no-untyped-def]
    """Map expression names (`hours`, `$state`) to the columns of a module's table."""

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        if len(path) != 1:
            raise ExpressionError(f"{'.'.join(path)!r} cannot be computed in the database")
        name = path[0]
        column = SYSTEM_COLUMNS.get(name, name)
        field = module.field(name)
        stored = name.startswith("$") or (field is not None and field.stored)
        if stored and column in table.c:
            return table.c[column]
        raise ExpressionError(f"{name!r} is not a stored field of {module.id!r}")

    return resolve


def rollup_column(
    catalog: Catalog, module: Module, main: Table, field: Field
) -> ColumnElement[Any]:
    """A correlated subquery computing a rollup for each row of `main`."""
    rollup = field.rollup
    assert rollup is not None
    source = catalog.module(rollup.module)
    source_table = catalog.tables[source.id].main.alias(f"r_{field.name}")
    resolve = resolver(source_table, source)
    value = rollup.value.to_sql(resolve, aggregate=True)
    conditions = [source_table.c[rollup.link] == main.c.id]
    if rollup.where is not None:
        conditions.append(rollup.where.to_sql(resolve))
    subquery = select(value).where(and_(*conditions)).scalar_subquery()
    if rollup.value.functions & {"sum", "count"}:
        return func.coalesce(subquery, literal(0, type_=value.type)).label(f"rollup__{field.name}")
    return subquery.label(f"rollup__{field.name}")


def record_select(
    catalog: Catalog,
    module: Module,
    fields: Iterable[str] | None = None,
    titles: Iterable[str] = (),
) -> tuple[Select[Any], dict[str, Any]]:
    """SELECT of the main table plus rollups and the titles of linked records (LEFT JOINs).

    Built once per catalog and shape: statements are immutable, and building the aliases
    and rollup subqueries anew on every page cost more than running the page.
    """
    titles = tuple(titles)
    key = (module.id, frozenset(fields) if fields is not None else None, titles)
    cached = catalog.selects.get(key)
    if cached is None:
        cached = catalog.selects[key] = _build_record_select(catalog, module, fields, titles)
    return cached


def _build_record_select(
    catalog: Catalog, module: Module, fields: Iterable[str] | None, titles: Iterable[str]
) -> tuple[Select[Any], dict[str, Any]]:
    main = catalog.tables[module.id].main
    wanted = set(fields) if fields is not None else {f.name for f in module.fields}
    columns: list[Any] = [main.c[name] for name in SYSTEM]
    columns += [main.c[f.name] for f in module.stored_fields if f.name in wanted]
    columns += [
        rollup_column(catalog, module, main, f) for f in module.rollup_fields if f.name in wanted
    ]
    joined: Any = main
    joins: dict[str, Any] = {}
    for name in titles:
        field = module.field(name)
        if field is None or field.kind != "link" or field.ref not in catalog.modules:
            continue
        target = catalog.modules[field.ref]
        target_table = catalog.tables[target.id].main.alias(f"l_{name}")
        title_column = (
            target.title_field
            if target.title_field
            and target.field(target.title_field)
            and target.field(target.title_field).stored
            else "number"
        )  # type: ignore[union-attr]
        joined = joined.outerjoin(target_table, target_table.c.id == main.c[name])
        columns.append(target_table.c[title_column].label(f"title__{name}"))
        joins[name] = target_table
    return select(*columns).select_from(joined), joins


def children_of(
    session: Session,
    catalog: Catalog,
    module: Module,
    ids: Sequence[str],
    fields: Iterable[str] | None = None,
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Child rows for the given records: one statement per child table."""
    wanted = set(fields) if fields is not None else None
    result: dict[str, dict[str, list[dict[str, Any]]]] = {i: {} for i in ids}
    if not ids:
        return result
    for field in module.table_fields:
        if wanted is not None and field.name not in wanted:
            continue
        table = catalog.tables[module.id].children[field.name]
        for record_id in ids:
            result[record_id][field.name] = []
        rows = session.execute(
            select(table).where(table.c.parent_id.in_(ids)).order_by(table.c.parent_id, table.c.idx)
        ).mappings()
        for row in rows:
            result[row["parent_id"]][field.name].append(
                {c.name: row[c.name] for c in field.children if c.stored}
            )
    return result


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def row_to_record(
    module: Module, row: Mapping[str, Any], children: Mapping[str, list[dict[str, Any]]]
) -> Record:
    data: dict[str, Any] = {}
    for field in module.fields:
        if field.rollup is not None:
            key = f"rollup__{field.name}"
            if key in row:
                data[field.name] = row[key]
        elif field.kind == "table":
            if field.name in children:
                data[field.name] = children[field.name]
        elif field.name in row:
            value = row[field.name]
            data[field.name] = _aware(value) if field.kind == "datetime" else value
    if module.read_formulas:
        _compute_on_read(module, data, row)
    titles = {
        k[len("title__") :]: v for k, v in row.items() if k.startswith("title__") and v is not None
    }
    return Record(
        id=row["id"],
        module=module.id,
        number=row["number"],
        state=row["state"],
        version=row["version"],
        owner=row["owner"],
        created_at=_aware(row["created_at"]),
        updated_at=_aware(row["updated_at"]),
        module_version=row["module_version"],
        data=data,
        titles=titles,
        state_since=_aware(row["state_since"]),
    )


def _compute_on_read(module: Module, data: dict[str, Any], row: Mapping[str, Any]) -> None:
    from engine.records.compute import cast_formula_value, formula_order

    system = {name: _aware(row[column]) for name, column in SYSTEM_COLUMNS.items()}
    env = {**{f.name: data.get(f.name) for f in module.fields}, **system, "user": {}}
    for field in (f for f in formula_order(module)[0] if f.on_read):
        try:
            data[field.name] = env[field.name] = cast_formula_value(
                field, field.formula.evaluate(env)
            )  # type: ignore[union-attr]
        except ExpressionError:
            data[field.name] = env[field.name] = None


def mask(record: Record, visible: set[str]) -> Record:
    """Drop fields the reader may not see, from data and link titles alike."""
    record.data = {k: v for k, v in record.data.items() if k in visible}
    record.titles = {k: v for k, v in record.titles.items() if k in visible}
    return record
