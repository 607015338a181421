"""Reading records: one SELECT with stored rollups and link titles, one per child table, masking.

Shared by `get_record` and `list_records`, so a page of records costs the same few
statements whatever the number of link or rollup columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    False_,
    FromClause,
    Select,
    Table,
    True_,
    and_,
    case,
    exists,
    false,
    not_,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from engine import permissions
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import SYSTEM_COLUMN_NAMES, SYSTEM_COLUMNS, Field, Module
from engine.errors import ExpressionError
from engine.expressions.sql import Resolve
from engine.records.formula_columns import computed_in_sql, formula_column
from engine.records.model import Record
from engine.records.rollup_keys import key_conditions
from engine.records.rollup_rows import row_inputs
from engine.records.rollup_scope import rollup_scope_gate
from engine.records.rollups import batch as rollup_batch  # noqa: F401  # for the writes

SYSTEM = SYSTEM_COLUMN_NAMES


def resolver(
    table: FromClause, module: Module, catalog: Catalog | None = None, reader: Actor | None = None
) -> Resolve:
    """Map expression names (`hours`, `$state`) to the columns of a module's table.

    Given the catalog and the reader (reports, dashboards), a stored rollup is its column
    where the reader may see it and NULL where not (the trust rule, row by row), so a
    measure over it sums only what the reader may see and a group by it shows no figure.
    """

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        if len(path) != 1:
            raise ExpressionError(code="expr_not_in_database", name=".".join(path))
        name = path[0]
        column = SYSTEM_COLUMNS.get(name, name)
        field = module.field(name)
        stored = name.startswith("$") or (field is not None and field.stored)
        if stored and column in table.c:
            return table.c[column]
        if field is not None and field.rollup and catalog and reader and name in table.c:
            gate = rollup_gate(catalog, reader, module, name, table)
            return table.c[name] if isinstance(gate, True_) else case((gate, table.c[name]))
        if field is not None and computed_in_sql(field) and catalog and reader:
            return formula_column(field, resolve)  # over rollups, each as the reader sees it
        raise ExpressionError(code="expr_not_stored", name=name, module=module.id)

    return resolve


def rollup_inputs(field: Field) -> frozenset[str]:
    """The fields of the summed module a rollup reads, in its value and in its `where`."""
    rollup = field.rollup
    assert rollup is not None
    expressions = [rollup.value] + ([rollup.where] if rollup.where is not None else [])
    # `parent.x` in a `where` is the parent's own field, not one of the summed rows
    read = {
        ref[0] for e in expressions for ref in e.references if ref[0] != "parent" or len(ref) == 1
    }
    return frozenset(read | {name for name, _ in rollup.match})  # matched fields choose rows


def rollup_gate(
    catalog: Catalog, reader: Actor, module: Module, name: str, main: FromClause
) -> ColumnElement[bool]:
    """When `reader` may see the stored rollup `name` of a row of `main` (true for any other
    field): a filter or a total over it counts only rows where it is not withheld.

    A rollup of rollups (portfolio ← project ← tally) is shown only when each rollup it sums
    would be shown too: reading every project is not reading every tally beneath them.
    """
    field = module.field(name)
    if field is None or field.rollup is None:
        return true()
    source = catalog.module(field.rollup.module)
    if field.rollup.table is not None:  # child rows: only a reader of every owning record
        inputs = row_inputs(catalog, field)
        return permissions.aggregate_predicate(reader, source, "", inputs, main.c.id)
    inputs = rollup_inputs(field)
    gate = rollup_scope_gate(reader, source, field.rollup, inputs, main)  # scoped by a tie too
    inner = [n for n in sorted(inputs) if (f := source.field(n)) and f.rollup is not None]
    if not inner or isinstance(gate, False_):
        return gate
    rows = catalog.tables[source.id].main.alias(f"g_{source.id}_{name}")
    hidden = [not_(rollup_gate(catalog, reader, source, n, rows)) for n in inner]
    hidden = [h for h in hidden if not isinstance(h, False_)]  # `not true`: never hidden
    if not hidden:
        return gate
    ties = key_conditions(field.rollup, lambda n: rows.c[n], main)
    withheld = exists().where(*ties, or_(*hidden))
    return and_(gate, ~withheld)


_PER_READER = object()  # marks a shape whose statement differs from reader to reader
MAX_KEPT = 2000  # statements kept per catalog; past it, all are built again as needed


@dataclass(frozen=True)
class _Parts:
    """What a record SELECT is made of, before any reader's rules are applied."""

    main: Table
    columns: tuple[Any, ...]  # system and stored columns
    rollups: tuple[tuple[Field, ColumnElement[Any]], ...]
    joined: Any
    titles: tuple[tuple[str, Module, Any], ...]  # link field, linked module, its alias


def record_select(
    catalog: Catalog,
    module: Module,
    *,
    reader: Actor,
    fields: Iterable[str] | None = None,
    titles: Iterable[str] = (),
) -> Select[Any]:
    """SELECT of the main table plus rollups and the titles of linked records (LEFT JOINs),
    as `reader` may see them.

    A rollup the reader may not see in full (`permissions.aggregate_predicate`) comes back
    NULL with `allowed__<field>` false, so it cannot leak through the value or a sort; the
    title of a linked record the reader may not read is NULL. Columns are labelled
    `rollup__<field>` and `title__<link>`. The parts (aliases, rollup subqueries) are built
    once per catalog and shape, the statements once per set of roles (or per reader, when
    the rules name the reader's grants or own rows): building them costs more than a page.
    """
    titles = tuple(titles)
    shape = (module.id, frozenset(fields) if fields is not None else None, titles)
    by_roles = (shape, reader.is_admin or reader.roles)
    cached = catalog.selects.get(by_roles)
    if cached is None or cached is _PER_READER:
        cached = catalog.selects.get((shape, reader))
    if cached is not None and cached is not _PER_READER:
        return cached
    parts = catalog.selects.get(shape)
    if parts is None:
        parts = catalog.selects[shape] = _build_parts(catalog, module, fields, titles)
    gates = _gates(catalog, module, parts, reader)
    names = tuple(_title_column(reader, target) for _, target, _ in parts.titles)
    statement = _assemble(parts, gates, names)
    if any(_constant(g) is None for g in gates):
        # the rules name this reader (their grants, their own rows): kept per reader, a few
        catalog.selects[by_roles] = _PER_READER
        if len(catalog.selects) > MAX_KEPT:
            catalog.selects.clear()
        catalog.selects[(shape, reader)] = statement
    else:  # the same for everyone with these roles
        catalog.selects[by_roles] = statement
    return statement


def _build_parts(
    catalog: Catalog, module: Module, fields: Iterable[str] | None, titles: Iterable[str]
) -> _Parts:
    main = catalog.tables[module.id].main
    wanted = set(fields) if fields is not None else {f.name for f in module.fields}
    columns: list[Any] = [main.c[name] for name in SYSTEM]
    columns += [main.c[f.name] for f in module.stored_fields if f.name in wanted]
    # a rollup is a stored column kept current by engine/records/rollups.py
    rollups = tuple((f, main.c[f.name]) for f in module.rollup_fields if f.name in wanted)
    joined: Any = main
    linked: list[tuple[str, Module, Any]] = []
    for name in titles:
        field = module.field(name)
        if field is None or not field.kind_type.links or field.ref not in catalog.modules:
            continue
        target = catalog.modules[field.ref]
        alias = catalog.tables[target.id].main.alias(f"l_{name}")
        joined = joined.outerjoin(alias, alias.c.id == main.c[name])
        linked.append((name, target, alias))
    return _Parts(main, tuple(columns), rollups, joined, tuple(linked))


def _gates(catalog: Catalog, module: Module, parts: _Parts, reader: Actor) -> list[Any]:
    """For each rollup, then each title: when `reader` may see it, as a SQL condition."""
    gates: list[Any] = []
    for field, _ in parts.rollups:
        gates.append(rollup_gate(catalog, reader, module, field.name, parts.main))
    for _, target, alias in parts.titles:
        if not permissions.may_read_module(reader, target):
            gates.append(false())
        else:
            gates.append(permissions.row_predicate(reader, target, alias, "read"))
    return gates


def _constant(gate: Any) -> bool | None:
    if isinstance(gate, True_):
        return True
    if isinstance(gate, False_):
        return False
    return None


def _assemble(parts: _Parts, gates: list[Any], names: tuple[str, ...]) -> Select[Any]:
    columns = list(parts.columns)
    for (field, value), gate in zip(parts.rollups, gates, strict=False):
        label = f"rollup__{field.name}"
        allowed = _constant(gate)
        if allowed is True:
            columns.append(value.label(label))
            continue
        shown = null() if allowed is False else case((gate, value), else_=null())
        columns.append(shown.label(label))
        columns.append(gate.label(f"allowed__{field.name}"))
    title_gates = gates[len(parts.rollups) :]
    for (name, _, alias), gate, column in zip(parts.titles, title_gates, names, strict=True):
        if _constant(gate) is False:
            continue
        title = alias.c[column]
        shown = title if _constant(gate) else case((gate, title), else_=null())
        columns.append(shown.label(f"title__{name}"))
    return select(*columns).select_from(parts.joined)


def _title_column(reader: Actor, target: Module) -> str:
    """The linked module's title field, or its number when the field is not stored or is
    hidden from the reader."""
    field = target.field(target.title_field) if target.title_field else None
    if field is None or not field.stored:
        return "number"
    return field.name if field.name in permissions.visible_fields(reader, target) else "number"


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
    module: Module, row: Mapping[Any, Any], children: Mapping[str, list[dict[str, Any]]]
) -> Record:
    """A record from a row of `record_select` and its child rows.

    A rollup the reader may not see, and a formula computed when read from one, is left out
    of `data` and named in `restricted`: neither the figure nor a stand-in for it.
    """
    data: dict[str, Any] = {}
    restricted: set[str] = set()
    for field in module.fields:
        if field.rollup is not None:
            key = f"rollup__{field.name}"
            if not row.get(f"allowed__{field.name}", True):
                restricted.add(field.name)
            elif key in row:
                data[field.name] = row[key]
        elif field.kind_type.rows:
            if field.name in children:
                data[field.name] = children[field.name]
        elif field.name in row:
            value = row[field.name]
            data[field.name] = _aware(value) if field.kind_type.aware else value
    if module.read_formulas:
        _compute_on_read(module, data, row, restricted)
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
        restricted=frozenset(restricted),
    )


def read_inputs(module: Module, fields: Iterable[str]) -> set[str]:
    """`fields` and every field the formulas among them that are computed when read need.

    A list loads only what the reader sees; a read-time formula over a field the reader
    does not see must still be computed from its real inputs, not from blanks.
    """
    wanted = set(fields)
    pending = [f for f in module.read_formulas if f.name in wanted]
    while pending:
        formula = pending.pop().formula
        assert formula is not None
        for ref in formula.references:
            field = module.field(ref[0])
            if field is None or field.name in wanted:
                continue
            wanted.add(field.name)
            if field.on_read:
                pending.append(field)
    return wanted


def _compute_on_read(
    module: Module, data: dict[str, Any], row: Mapping[str, Any], restricted: set[str]
) -> None:
    """Formulas over rollups or the clock. One that reads a withheld value or a value that
    was not loaded is withheld too, never computed from a blank (which shows 0)."""
    from engine.records.compute import cast_formula_value, formula_order

    system = {name: _aware(row[column]) for name, column in SYSTEM_COLUMNS.items()}
    env = {**{f.name: data.get(f.name) for f in module.fields}, **system, "user": {}}
    for field in (f for f in formula_order(module)[0] if f.on_read):
        formula = field.formula
        assert formula is not None
        names = {ref[0] for ref in formula.references if module.field(ref[0]) is not None}
        if names & restricted or names - data.keys():
            restricted.add(field.name)
            data.pop(field.name, None)
            continue
        try:
            data[field.name] = env[field.name] = cast_formula_value(field, formula.evaluate(env))
        except ExpressionError:
            data[field.name] = env[field.name] = None


def mask(record: Record, visible: Set[str]) -> Record:
    """Drop fields the reader may not see, from data, link titles and the withheld alike."""
    record.data = {k: v for k, v in record.data.items() if k in visible}
    record.titles = {k: v for k, v in record.titles.items() if k in visible}
    record.restricted = record.restricted & visible
    return record
