"""Computed defaults (`x-default`): the value a field left empty gets when a record is created.

A default is an expression evaluated once, on create, for each field (or child-table column)
whose value was left empty, in field order, before the formulas run: `today() + 14`,
`project.manager` (through a record link), `material.unit` in a child row (through the row's
link column, read with one query per link column per batch). Unlike a formula it is only a
starting value: the user may change it, and an update never recomputes it. Static `default`s
stay as they were (applied as the input is coerced).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Field, Module
from engine.errors import ExpressionError, Problem
from engine.records.compute import base_env, cast_formula_value

# A link column of a child table whose linked records a child default reads: (table, column).
ChildLink = tuple[str, str]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


@lru_cache(maxsize=256)
def child_default_links(module: Module) -> frozenset[ChildLink]:
    """Link columns that some child-row default reads through (`material.unit`)."""
    found: set[ChildLink] = set()
    for table in module.table_fields:
        links = {c.name for c in table.children if c.kind_type.links}
        for column in table.children:
            if column.default_expr is None:
                continue
            for ref in column.default_expr.references:
                if len(ref) > 1 and ref[0] in links:
                    found.add((table.name, ref[0]))
    return frozenset(found)


def child_linked_rows(
    session: Session, catalog: Catalog, module: Module, batch: Sequence[Mapping[str, Any]]
) -> dict[ChildLink, dict[str, dict[str, Any]]]:
    """For each link column read by a child default: linked id → that record's stored values."""
    result: dict[ChildLink, dict[str, dict[str, Any]]] = {}
    for table_name, column_name in sorted(child_default_links(module)):
        table = module.field(table_name)
        column = next((c for c in table.children if c.name == column_name), None) if table else None
        if column is None or column.ref not in catalog.modules:
            continue
        target = catalog.modules[column.ref]
        main = catalog.tables[target.id].main
        wanted = {
            row.get(column_name) for values in batch for row in values.get(table_name) or []
        } - {None, ""}
        rows: dict[str, dict[str, Any]] = {}
        if wanted:
            columns = [
                main.c.id,
                main.c.number,
                main.c.state,
                *(main.c[f.name] for f in target.stored_fields),
            ]
            for row in session.execute(select(*columns).where(main.c.id.in_(wanted))).mappings():
                rows[row["id"]] = dict(row)
        result[(table_name, column_name)] = rows
    return result


@lru_cache(maxsize=256)
def _has_defaults(module: Module) -> bool:
    """Whether some field or child-table column of the module has an `x-default`."""
    return any(
        f.default_expr is not None or any(c.default_expr is not None for c in f.children)
        for f in module.fields
    )


def _evaluate(f: Field, env: Mapping[str, Any], where: str, problems: list[Problem]) -> Any:
    try:
        return cast_formula_value(f, f.default_expr.evaluate(env))  # type: ignore[union-attr]  # fields with a default only
    except ExpressionError as exc:
        problems.append(Problem(where, "cannot_compute", exc.wrapped()))
        return None


def apply_defaults(
    module: Module,
    values: dict[str, Any],
    system: Mapping[str, Any],
    actor: Actor,
    child_links: Mapping[ChildLink, Mapping[str, Mapping[str, Any]]] | None = None,
) -> list[Problem]:
    """Fill the empty fields and child-row columns that have an `x-default`, in place.

    `system` holds the system values and, for each link a default reads through, the linked
    record (engine/records/links.py); `child_links` the records child-row link columns name.
    """
    problems: list[Problem] = []
    if not _has_defaults(module):
        return problems
    env = base_env(values, system, actor)
    for f in module.fields:
        if f.default_expr is not None and not f.computed and _empty(values.get(f.name)):
            values[f.name] = env[f.name] = _evaluate(f, env, f"/{f.name}", problems)
    for table in module.table_fields:
        columns = [c for c in table.children if c.default_expr is not None and not c.computed]
        if columns:
            _fill_rows(table, columns, values.get(table.name) or [], child_links or {}, problems)
    return problems


def _fill_rows(
    table: Field,
    columns: list[Field],
    rows: list[dict[str, Any]],
    child_links: Mapping[ChildLink, Mapping[str, Mapping[str, Any]]],
    problems: list[Problem],
) -> None:
    """Fill the empty `columns` of each row from their defaults, in place."""
    for index, row in enumerate(rows):
        row_env: dict[str, Any] = dict(row)
        for (table_name, column_name), linked in child_links.items():
            if table_name == table.name and row.get(column_name):
                row_env[column_name] = linked.get(row[column_name])
        for column in columns:
            if _empty(row.get(column.name)):
                where = f"/{table.name}/{index}/{column.name}"
                row[column.name] = row_env[column.name] = _evaluate(
                    column, row_env, where, problems
                )


def blank_defaults(module: Module, system: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
    """The defaults a new, still empty form can show: those that read no field of the record
    (`today() + 14`, `user.id`); the others are computed on save, from what was entered."""
    shown: dict[str, Any] = {}
    env = base_env({}, system, actor)
    for f in module.fields:
        expression = f.default_expr
        if expression is None or f.computed:
            continue
        if any(not ref[0].startswith("$") and ref[0] != "user" for ref in expression.references):
            continue
        value = _evaluate(f, env, "", [])
        if value is not None:
            shown[f.name] = value
    return shown


def refill_row(
    session: Session,
    catalog: Catalog,
    module: Module,
    table_name: str,
    row: Mapping[str, Any],
) -> dict[str, Any]:
    """What the defaults reading through a child row's link columns give for `row` now (the
    form refreshes a line when its material changes: that material's unit and price)."""
    table = module.field(table_name)
    if table is None or not table.kind_type.rows:
        return {}
    links = {c.name for c in table.children if c.kind_type.links}
    columns = [
        c
        for c in table.children
        if c.default_expr is not None
        and not c.computed
        and any(len(ref) > 1 and ref[0] in links for ref in c.default_expr.references)
    ]
    if not columns:
        return {}
    probe = {k: row.get(k) or None for k in links}
    child_links = child_linked_rows(session, catalog, module, [{table_name: [probe]}])
    _fill_rows(table, columns, [probe], child_links, [])
    return {c.name: probe.get(c.name) for c in columns}
