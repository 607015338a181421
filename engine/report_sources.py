"""Reports over several sources: the rows of several modules unioned into one, then grouped.

A stock ledger is receipts (+qty) and issues (−qty) in one running balance. Each source names
a module (and optionally one of its child tables, `rows`) and gives the report's shared names
as expressions of its own (`"qty": "-qty"`, `"material": "card.material"`); the report's
groups and measures read those names. All in one SQL statement: each source is a SELECT over
its table — narrowed by its module's read scope for the reader and its own `where` — and the
sources are joined by UNION ALL in a subquery that the report groups like any other.

A source the reader may not read gives no rows. A shared name that some source computes from
a field hidden from the reader is withheld, like a hidden field in a one-module report: the
groups and measures reading it are left out. Decimal values keep their exact scale on SQLite
(scaled integers), so sources of different scales are brought to the largest before the union.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    and_,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import type_coerce

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import SYSTEM_COLUMNS, Field, Module, Report, ReportSource
from engine.expressions import Expression
from engine.records.reading import resolver
from engine.report_joins import LinkJoins
from engine.report_names import column_name
from engine.report_windows import with_windows
from engine.sqltypes import ExactDecimal

NOTHING = literal_column("1") == literal_column("0")


@dataclass
class RowJoins(LinkJoins):
    """LinkJoins over a child table's rows: `card.material` reads through a row's link
    column, `project.code` through the owning record's link."""

    rows: FromClause | None = None
    columns: Mapping[str, Field] = field(default_factory=dict)

    def _target(self, link: str) -> Module | None:
        column = self.columns.get(link)
        if column is None:
            return super()._target(link)
        if not column.kind_type.links or column.ref is None:
            return None
        return self.catalog.modules.get(column.ref)

    def from_clause(self) -> FromClause:
        assert self.rows is not None
        joined: FromClause = self.rows.join(self.table, self.table.c.id == self.rows.c.parent_id)
        for link, (alias, _linked, _scope) in self.joins.items():
            holder = self.rows if link in self.columns else self.table
            key = alias.c[SYSTEM_COLUMNS["$id"]]
            joined = joined.outerjoin(alias, key == holder.c[link])
        return joined


def _joins(catalog: Catalog, source: ReportSource, actor: Actor) -> LinkJoins:
    """The joins and names of one source as `actor` may see them."""
    module = catalog.module(source.module)
    hidden = {f.name for f in module.fields} - abilities(actor, module).visible
    owner = catalog.tables[module.id].main
    if source.rows is None:
        return LinkJoins(catalog, module, owner, actor, hidden)
    table = module.field(source.rows)
    assert table is not None  # checked at import
    columns = {c.name: c for c in table.children if c.stored}
    if source.rows in hidden:  # a hidden table hides its columns
        hidden |= set(columns)
    rows = catalog.tables[module.id].children[source.rows]
    return RowJoins(catalog, module, owner, actor, hidden, rows=rows, columns=columns)


def _resolve(links: LinkJoins, catalog: Catalog, actor: Actor) -> Any:
    own = resolver(links.table, links.module, catalog, actor)
    columns = links.columns if isinstance(links, RowJoins) else {}
    rows = links.rows if isinstance(links, RowJoins) else None

    def base(path: tuple[str, ...]) -> ColumnElement[Any]:
        if rows is not None and len(path) == 1 and path[0] in columns:
            return rows.c[path[0]]
        return own(path)

    return links.resolve(base)


def _scale(column: ColumnElement[Any]) -> int | None:
    return column.type.scale if isinstance(column.type, ExactDecimal) else None


def _aligned(column: ColumnElement[Any], scale: int | None, sqlite: bool) -> ColumnElement[Any]:
    """`column` at the decimal `scale` every source of its name shares (None: as it is)."""
    if scale is None:
        return column
    own = _scale(column) or 0
    if sqlite and own != scale:  # scaled integers: multiply to the common scale
        factor: ColumnElement[Any] = literal_column(str(10 ** (scale - own)))
        column = type_coerce(column, Integer()) * factor
    return type_coerce(column, ExactDecimal(scale))


@dataclass
class _Source:
    names: dict[str, ColumnElement[Any]]
    links: LinkJoins
    where: list[ColumnElement[Any]]


def _source(catalog: Catalog, source: ReportSource, actor: Actor, hidden: set[str]) -> _Source:
    """One source's values and conditions; the names it reads from hidden fields go to
    `hidden`."""
    may = abilities(actor, catalog.module(source.module))
    links = _joins(catalog, source, actor)
    resolve = _resolve(links, catalog, actor)
    names = {}
    for name, expression in source.values.items():
        if may.read and not links.visible(expression):  # an unread source gives no rows
            hidden.add(name)
        names[name] = expression.to_sql(resolve)
    where = [may.scope(links.table) if may.read else NOTHING]
    if source.where is not None:
        visible = links.visible(source.where)
        where.append(source.where.to_sql(resolve) if visible else NOTHING)
    return _Source(names, links, where)


def union(session: Session, catalog: Catalog, report: Report, actor: Actor) -> tuple[Any, set[str]]:
    """The sources' rows unioned in a subquery, and the shared names withheld from `actor`."""
    hidden: set[str] = set()
    built = [_source(catalog, s, actor, hidden) for s in report.sources]
    order = list(report.sources[0].values)
    scales: dict[str, int | None] = {}
    for name in order:
        found = [s for b in built if (s := _scale(b.names[name])) is not None]
        scales[name] = max(found) if found else None
    sqlite = session.get_bind().dialect.name == "sqlite"
    selects = [
        select(*(_aligned(b.names[n], scales[n], sqlite).label(n) for n in order))
        .select_from(b.links.from_clause())
        .where(and_(*b.where))
        for b in built
    ]
    return union_all(*selects).subquery("sources"), hidden


def sources_report(
    session: Session,
    catalog: Catalog,
    report: Report,
    actor: Actor,
    limit: int | None = None,
) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """The group names, measure names and rows of a report over several sources."""
    unioned, hidden = union(session, catalog, report, actor)

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        return unioned.c[path[0]]

    def visible(expression: Expression) -> bool:
        return not {r[0] for r in expression.references} & hidden

    taken: set[str] = set()
    groups = [(column_name(e, taken), e.to_sql(resolve)) for e in report.group_by if visible(e)]
    measures = []
    for name, expression in report.measures.items():
        if visible(expression):
            taken.add(name)
            measures.append((name, expression.to_sql(resolve, aggregate=True)))
    where: list[ColumnElement[Any]] = []
    if report.where is not None:
        where.append(report.where.to_sql(resolve) if visible(report.where) else NOTHING)
    statement: Select[Any] = select(
        *(c.label(n) for n, c in groups), *(c.label(n) for n, c in measures)
    ).select_from(unioned)
    if where:
        statement = statement.where(and_(*where))
    names = [n for n, _ in groups] + [n for n, _ in measures]
    if groups:  # by position, as engine/reports.py does
        positions: Sequence[ColumnElement[Any]] = [
            literal_column(str(n + 1)) for n in range(len(groups))
        ]
        statement = statement.group_by(*positions).order_by(*positions)
    if groups and len(groups) == len(report.group_by):  # over time only along the first group
        named = [(n, None) for n, _ in groups], [(n, None) for n, _ in measures]
        statement, names = with_windows(statement, *named, report.options, None)
    if limit is not None:
        statement = statement.limit(limit)
    rows = [dict(row) for row in session.execute(statement).mappings()]
    return [n for n, _ in groups], [n for n, _ in measures], rows
