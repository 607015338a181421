"""Reports over child-table rows: `"rows": "lines"` groups and measures a module's lines.

`{"module": "goods_receipt", "rows": "lines", "group_by": ["material", "month(date)"],
"measures": {"qty": "sum(qty)"}}` is one SQL statement over `m_goods_receipt__lines` joined to
its owning receipt: a bare name is the row's column when the table has one, else the
receipt's field (`date`, `$state`, a stored rollup as the reader may see it). Rows count
only where the reader may read the owning record (its row scope), and an expression naming a
field hidden from the reader — the table itself for its columns — is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal_column, select
from sqlalchemy.orm import Session

from engine.abilities import Abilities
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Report
from engine.expressions import Expression
from engine.expressions.sql import Resolve
from engine.records.query import Filter, filter_clauses
from engine.records.reading import resolver
from engine.report_names import column_name
from engine.report_windows import with_windows


def rows_statement(
    session: Session,
    catalog: Catalog,
    report: Report,
    actor: Actor,
    may: Abilities,
    filters: Sequence[Filter] = (),
) -> tuple[Select[Any], list[str], list[str]]:
    """The grouped statement of a rows report, its group names and its measure names."""
    assert report.rows is not None
    module = catalog.module(report.module)
    owner = catalog.tables[module.id].main
    rows = catalog.tables[module.id].children[report.rows]
    table = module.field(report.rows)
    assert table is not None
    columns = {c.name for c in table.children if c.stored}
    own = resolver(owner, module, catalog, actor)

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        if len(path) == 1 and path[0] in columns:
            return rows.c[path[0]]
        return own(path)

    def visible(expression: Expression) -> bool:
        names = {report.rows if r[0] in columns else r[0] for r in expression.references}
        return all(str(n).startswith("$") or n in may.visible for n in names)

    taken: set[str] = set()
    groups = [(column_name(e, taken), e.to_sql(resolve)) for e in report.group_by if visible(e)]
    measures = []
    for name, expression in report.measures.items():
        if visible(expression):
            taken.add(name)
            measures.append((name, expression.to_sql(resolve, aggregate=True)))
    where = [may.scope(owner), *filter_clauses(session, module, owner, filters)]
    if report.where is not None:
        where.append(_condition(report.where, resolve, visible))
    statement = (
        select(*(c.label(n) for n, c in groups), *(c.label(n) for n, c in measures))
        .select_from(rows.join(owner, owner.c.id == rows.c.parent_id))
        .where(and_(*where))
    )
    if groups:  # by position, as engine/reports.py does
        positions: list[ColumnElement[Any]] = [
            literal_column(str(n + 1)) for n in range(len(groups))
        ]
        statement = statement.group_by(*positions).order_by(*positions)
    return statement, [n for n, _ in groups], [n for n, _ in measures]


def _condition(where: Expression, resolve: Resolve, visible: Any) -> ColumnElement[bool]:
    """The report's `where`; one naming a hidden field matches nothing rather than all."""
    if not visible(where):
        return literal_column("1") == literal_column("0")
    return where.to_sql(resolve)


def rows_report(
    session: Session,
    catalog: Catalog,
    report: Report,
    actor: Actor,
    may: Abilities,
    filters: Sequence[Filter] = (),
    limit: int | None = None,
) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """The group names, measure names and rows of a rows report; a `cumulative` measure is
    a running total along the first group (engine/report_windows.py), as in other reports."""
    statement, groups, measures = rows_statement(session, catalog, report, actor, may, filters)
    if groups and len(groups) == len(report.group_by):  # over time only along the first group
        named = [(n, None) for n in groups], [(n, None) for n in measures]
        statement, _names = with_windows(statement, *named, report.options, None)
    if limit is not None:
        statement = statement.limit(limit)
    return groups, measures, [dict(row) for row in session.execute(statement).mappings()]
