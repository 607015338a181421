"""Listing records: filters, free-text search, sort, pages, total count and column totals.

Everything runs in SQL on the module's typed table. A page costs one SELECT for the rows
(rollups and link titles included), one for the count and totals, and one per child table.
API query strings are parsed here too (`filter[hours][gte]=8`), so the pages and the API
accept exactly the same filters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, Text, and_, case, cast, func, literal_column, or_, select
from sqlalchemy.orm import Session

from engine.abilities import Abilities, abilities
from engine.actor import Actor
from engine.catalog import Catalog, ModuleRef, load_catalog
from engine.definitions.model import SYSTEM_COLUMNS, Field, Module
from engine.errors import Problem, ValidationFailed
from engine.input_errors import problems_from
from engine.kinds import KINDS, OPERATORS, FieldKind
from engine.kinds.standard import LINK, TEXT
from engine.records.child_filters import child_condition, child_kind, is_child_path
from engine.records.formula_columns import computed_in_sql, plain_resolver, rollups_read
from engine.records.model import RecordPage
from engine.records.reading import (
    children_of,
    mask,
    read_inputs,
    record_select,
    resolver,
    rollup_gate,
    row_to_record,
)
from engine.records.row_links import add_row_titles

COMPARISONS = ("lt", "lte", "gt", "gte", "between")  # no order against "no value"
YES_OR_NO = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
ORDERED_KINDS = frozenset(kind.name for kind in KINDS.values() if kind.ordered)
MAX_FILTERS = 50
MAX_IN_VALUES = 200
MAX_PER_PAGE = 200
MAX_SEARCH = 200
FILTER_KEY = re.compile(r"^filter\[([^\[\]]{1,80})\](?:\[([a-z]{1,10})\])?$")


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class ListQuery:
    filters: tuple[Filter, ...] = ()
    search: str | None = None
    sort: tuple[str, ...] = ()
    page: int = 1
    per_page: int = 20
    with_totals: bool = True
    with_children: bool = True


SYSTEM_KINDS = {
    "$id": "text",
    "$number": "text",
    "$state": "text",
    "$owner": "text",
    "$created_at": "datetime",
    "$updated_at": "datetime",
}


def filter_kind(module: Module, name: str) -> tuple[FieldKind, Field | None]:
    """The kind a filter on `name` follows (a system column's or a stored field's)."""
    if name in SYSTEM_KINDS:
        return KINDS[SYSTEM_KINDS[name]], None
    if is_child_path(name):  # `table.field`: a field of a child table's rows
        return child_kind(module, name)
    f = module.field(name)
    if f is None or not (f.stored or f.rollup or computed_in_sql(f)):  # rollups, their formulas
        raise KeyError(name)
    return f.kind_type, f


def _coerce(module: Module, name: str, raw: Any, where: str) -> Any:
    kind, f = filter_kind(module, name)
    if f is None and kind is TEXT:  # a system column's text is matched as it is written
        return raw if isinstance(raw, str) else str(raw)
    try:
        value = kind.coerce_filter(f).deserialize(raw)  # type: ignore[arg-type]  # system: no field
    except ValidationError as exc:
        raise ValidationFailed(problems_from(exc.messages, where)) from None
    return value


def _split(raw: Any) -> list[Any]:
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if isinstance(raw, str):
        return [part for part in raw.split(",")]
    return [raw]


def _yes_or_no(raw: Any, where: str) -> bool:
    """The value of `filter[f][empty]`: true for the records without a value, false for
    those with one."""
    word = str(raw).strip().lower()
    if word not in YES_OR_NO:
        raise ValidationFailed([Problem(where, "not_a_boolean")])
    return YES_OR_NO[word]


def build_filter(module: Module, name: str, op: str, raw: Any, visible: Set[str]) -> Filter:
    """A typed filter, or ValidationFailed naming the bad field, operator or value."""
    where = f"filter[{name}]" + (f"[{op}]" if op != "eq" else "")
    if op not in OPERATORS:
        raise ValidationFailed(
            [Problem(where, "unknown_operator", {"op": op, "operators": OPERATORS})]
        )
    try:
        kind, f = filter_kind(module, name)
    except KeyError:
        raise ValidationFailed([Problem(where, "not_filterable", {"field": name})]) from None
    if f is not None and name.partition(".")[0] not in visible:
        raise ValidationFailed([Problem(where, "not_filterable", {"field": name})])
    if op not in kind.operators:
        raise ValidationFailed(
            [
                Problem(
                    where,
                    "operator_not_applicable",
                    {"op": op, "kind": kind.text, "operators": kind.operators},
                )
            ]
        )
    if op == "empty":
        return Filter(name, op, _yes_or_no(raw, where))
    if op in ("in", "between"):
        parts = _split(raw)
        if op == "between" and len(parts) != 2:
            raise ValidationFailed([Problem(where, "between_two_values")])
        if op == "in" and not 1 <= len(parts) <= MAX_IN_VALUES:
            raise ValidationFailed([Problem(where, "in_values", {"limit": MAX_IN_VALUES})])
        value: Any = tuple(_coerce(module, name, p, where) for p in parts)
    elif op == "contains":
        if not kind.scalar:  # a list of choices holds the value
            value = _coerce(module, name, raw, where)
        else:
            value = str(raw)
            if len(value) > MAX_SEARCH:
                raise ValidationFailed(
                    [Problem(where, "too_many_characters", {"limit": MAX_SEARCH})]
                )
    else:
        value = _coerce(module, name, raw, where)
    empty = None in value if op == "between" else value is None
    if op in COMPARISONS and empty:
        raise ValidationFailed([Problem(where, "needs_value", {"op": op})])
    return Filter(name, op, value)


def _int_param(params: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    raw = params.get(key)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ValidationFailed([Problem(key, "not_an_integer", {"value": raw})]) from None
    if not low <= value <= high:
        raise ValidationFailed([Problem(key, "out_of_range", {"low": low, "high": high})])
    return value


def _me(module: Module, name: str, raw: Any, actor: Actor) -> Any:
    """`me` in a user or multi-user field's filter is the reader ("records that name me")."""
    f = module.field(name)
    return actor.name if raw == "me" and f is not None and f.kind_type.names_user else raw


def parse_list_params(module: Module, params: Mapping[str, Any], actor: Actor) -> ListQuery:
    """A ListQuery from query-string parameters (`q`, `sort`, `page`, `per_page`, `filter[...]`)."""
    visible = abilities(actor, module).visible
    problems: list[Problem] = []
    filters: list[Filter] = []
    filter_keys = [k for k in params if k.startswith("filter")]
    if len(filter_keys) > MAX_FILTERS:
        raise ValidationFailed([Problem("filter", "too_many_filters", {"limit": MAX_FILTERS})])
    for key in filter_keys:
        match = FILTER_KEY.match(key)
        if not match:
            problems.append(Problem(key, "filter_syntax"))
            continue
        name, op = match.group(1), match.group(2) or "eq"
        raw = params[key]
        values = raw if isinstance(raw, list) and op not in ("in",) else [raw]
        for value in values:
            try:
                value = _me(module, name, value, actor)
                filters.append(build_filter(module, name, op, value, visible))
            except ValidationFailed as exc:
                problems.extend(exc.problems)
    search = params.get("q") or None
    if isinstance(search, list):
        search = search[0] if search else None
    if search is not None and len(str(search)) > MAX_SEARCH:
        problems.append(Problem("q", "too_many_characters", {"limit": MAX_SEARCH}))
    sort: tuple[str, ...] = ()
    if params.get("sort"):
        raw_sort = params["sort"]
        keys = [
            k.strip()
            for k in (",".join(raw_sort) if isinstance(raw_sort, list) else str(raw_sort)).split(
                ","
            )
            if k.strip()
        ]
        for key in keys[:5]:
            name = key.lstrip("-+")
            sort_field = module.field(name)
            if name in SYSTEM_KINDS or (
                sort_field is not None
                and name in visible
                and (sort_field.stored or sort_field.rollup or computed_in_sql(sort_field))
            ):
                continue
            problems.append(Problem("sort", "not_sortable", {"field": name}))
        sort = tuple(keys[:5])
    try:
        page = _int_param(params, "page", 1, 1, 10_000_000)
        per_page = _int_param(params, "per_page", 20, 1, MAX_PER_PAGE)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
        page, per_page = 1, 20
    if problems:
        raise ValidationFailed(problems)
    return ListQuery(tuple(filters), str(search) if search else None, sort, page, per_page)


def _condition(session: Session, module: Module, table: Any, flt: Filter) -> ColumnElement[bool]:
    if is_child_path(flt.field):
        return child_condition(module, table, flt.field, flt.op, flt.value)
    column = plain_resolver(table, module)((flt.field,))  # a formula over rollups computed
    kind, _ = filter_kind(module, flt.field)
    value = flt.value
    if flt.op == "empty":  # `filter[f][empty]=true`: the records where f has no value
        return column.is_(None) if value else column.is_not(None)
    if kind.condition is not None:  # e.g. a list of choices: matched inside its JSON
        return kind.condition(session, column, flt.op, value)
    if flt.op == "eq":
        return column.is_(None) if value is None else column == value
    if flt.op == "ne":
        return column.is_not(None) if value is None else or_(column != value, column.is_(None))
    if flt.op == "lt":
        return column < value
    if flt.op == "lte":
        return column <= value
    if flt.op == "gt":
        return column > value
    if flt.op == "gte":
        return column >= value
    if flt.op == "in":
        return column.in_(value)
    if flt.op == "between":
        return column.between(value[0], value[1])
    return column.icontains(str(value), autoescape=True)


def filter_clauses(
    session: Session, module: Module, table: Any, filters: Sequence[Filter]
) -> list[ColumnElement[bool]]:
    """SQL conditions for typed filters (built by `build_filter`)."""
    return [_condition(session, module, table, f) for f in filters]


def _where(
    session: Session, catalog: Catalog, may: Abilities, query: ListQuery
) -> list[ColumnElement[bool]]:
    module = may.module
    table = catalog.tables[module.id].main
    clauses = [may.scope(table)]
    clauses += [_condition(session, module, table, f) for f in query.filters]
    gated = [n for f in query.filters for n in rollups_read(module, f.field)]
    clauses += [rollup_gate(catalog, may.actor, module, n, table) for n in gated]
    if query.search:
        visible = may.visible
        columns: list[ColumnElement[Any]] = [table.c.number]
        for name in module.ui.list.search:
            f = module.field(name)
            if f is not None and f.stored and name in visible and f.kind_type.searchable:
                column = table.c[name]  # a list (multi-user) is searched as its JSON text
                columns.append(column if f.kind_type.scalar else cast(column, Text))
        clauses.append(or_(*(c.icontains(query.search, autoescape=True) for c in columns)))
    return clauses


def _order_by(
    module: Module,
    table: Any,
    statement: Any,
    keys: Sequence[str],
    visible: Set[str],
    reader: tuple[Catalog, Actor] | None = None,  # to sort by formulas over rollups
) -> list[Any]:
    """ORDER BY terms for sort keys; a link sorts by the title the reader sees, a rollup by
    its value as the reader sees it (withheld ones together), so order reveals nothing."""
    order = []
    for key in keys:
        descending = key.startswith("-")
        name = key.lstrip("-+")
        field = module.field(name)
        if f"title__{name}" in statement.selected_columns:
            column: Any = literal_column(f"title__{name}")
        elif name in SYSTEM_COLUMNS:
            column = table.c[SYSTEM_COLUMNS[name]]
        elif field is not None and field.rollup is not None and name in visible:
            column = literal_column(f"rollup__{name}")
        elif name in table.c and name in visible:
            column = table.c[name]
        elif reader is not None and computed_in_sql(field) and name in visible:
            column = resolver(table, module, *reader)((name,))
        else:
            continue
        order.append(column.desc() if descending else column.asc())
    return order


def _total(catalog: Catalog, actor: Actor, module: Module, table: Any, name: str) -> Any:
    """The sum of a column; of a rollup, over the rows where the reader may see it."""
    field = module.field(name)
    if computed_in_sql(field):
        return func.sum(resolver(table, module, catalog, actor)((name,)))
    if field is None or field.rollup is None:
        return func.sum(table.c[name])
    return func.sum(case((rollup_gate(catalog, actor, module, name, table), table.c[name])))


def list_records(
    session: Session, module_id: ModuleRef, actor: Actor, query: ListQuery | None = None
) -> RecordPage:
    """One page of the records `actor` may read, with the total count and column totals."""
    query = query or ListQuery()
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    visible = may.visible
    table = catalog.tables[module.id].main
    where = _where(session, catalog, may, query)
    link_columns = [
        f.name
        for f in map(module.field, module.ui.list.columns)
        if f is not None and f.kind_type is LINK and f.name in visible
    ]
    loaded = read_inputs(module, visible)
    statement = record_select(catalog, module, reader=actor, fields=loaded, titles=link_columns)
    keys = query.sort or module.ui.list.sort
    order = _order_by(module, table, statement, keys, visible, (catalog, actor))
    order.append(table.c.id.desc())
    offset = (query.page - 1) * query.per_page
    rows = (
        session.execute(
            statement.where(and_(*where)).order_by(*order).limit(query.per_page).offset(offset)
        )
        .mappings()
        .all()
    )
    ids = [row["id"] for row in rows]
    formulas = {f.name for f in module.read_formulas if f.name in visible}
    tables = loaded if query.with_children else read_inputs(module, formulas)
    children = children_of(session, catalog, module, ids, tables)
    records = [row_to_record(module, row, children[row["id"]]) for row in rows]
    add_row_titles(session, catalog, module, actor, records)
    items = [mask(record, visible) for record in records]
    total_fields = [
        f.name
        for f in map(module.field, module.ui.list.totals)
        if f is not None and f.name in visible and (f.stored or f.rollup or computed_in_sql(f))
    ]
    aggregate = select(
        func.count().label("count__"),
        *(_total(catalog, actor, module, table, n).label(f"sum__{n}") for n in total_fields),
    )
    summary = session.execute(aggregate.select_from(table).where(and_(*where))).mappings().one()
    totals = {n: summary[f"sum__{n}"] for n in total_fields} if query.with_totals else {}
    return RecordPage(
        items=items,
        total=summary["count__"],
        page=query.page,
        per_page=query.per_page,
        totals=totals,
    )
