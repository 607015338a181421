"""Reports: grouped aggregates of one module, computed in SQL.

A report groups a module's records by expressions (`worker`, `month(date)`) and computes
measures (`count()`, `sum(amount)`) in one statement, over only the rows the viewer may read,
optionally narrowed by the module's list filters. Fields hidden from the viewer are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal_column, select
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog, load_catalog
from engine.definitions.model import Report
from engine.expressions.sql import Resolve
from engine.records.query import Filter, filter_clauses
from engine.records.reading import resolver
from engine.report_joins import LinkJoins
from engine.report_names import CALL, IDENTIFIER, column_name  # noqa: F401  # used by web/
from engine.report_rows import rows_report
from engine.report_sources import sources_report
from engine.report_windows import Columns, period_shifted, with_windows


@dataclass
class ReportResult:
    report: Report
    columns: list[str]
    groups: list[str]
    measures: list[str]
    rows: list[dict[str, Any]]


def run_report(
    session: Session, report_id: str, actor: Actor, filters: Sequence[Filter] = ()
) -> ReportResult:
    """Rows of a report as `actor` may see them (scopes and hidden fields respected)."""
    catalog = load_catalog(session)
    return run_compiled_report(session, catalog, catalog.report(report_id), actor, filters)


def _columns(report: Report, links: LinkJoins, resolve: Resolve) -> tuple[Columns, Columns]:
    """The groups and measures the reader may see, named and translated to SQL."""
    taken: set[str] = set()
    groups: Columns = []
    for expression in report.group_by:
        if links.visible(expression):
            groups.append((column_name(expression, taken), expression.to_sql(resolve)))
    measures: Columns = []
    for name, expression in report.measures.items():
        if links.visible(expression):
            taken.add(name)
            measures.append((name, expression.to_sql(resolve, aggregate=True)))
    return groups, measures


def run_compiled_report(
    session: Session,
    catalog: Catalog,
    report: Report,
    actor: Actor,
    filters: Sequence[Filter] = (),
    limit: int | None = None,
) -> ReportResult:
    """Rows of `report` over its installed module: an installed report, or one compiled from
    a builder draft to try it (naming only fields the installed module stores)."""
    module = catalog.module(report.module)
    may = abilities(actor, module)
    may.require_read()
    if report.sources:  # several modules' rows unioned (engine/report_sources.py)
        found = sources_report(session, catalog, report, actor, limit)
        return ReportResult(report, found[0] + found[1], *found)
    if report.rows is not None:  # the rows of a child table (engine/report_rows.py)
        found = rows_report(session, catalog, report, actor, may, filters, limit)
        return ReportResult(report, found[0] + found[1], *found)
    hidden = {f.name for f in module.fields} - may.visible
    table = catalog.tables[module.id].main
    links = LinkJoins(catalog, module, table, actor, hidden)
    # stored rollups as the actor may see them; `link.field` through a join
    resolve = links.resolve(resolver(table, module, catalog, actor))
    groups, measures = _columns(report, links, resolve)
    where = [may.scope(table)]
    if report.where is not None:
        where.append(report.where.to_sql(resolve))
    where += filter_clauses(session, module, table, filters)

    def grouped(groups: Columns, measures: Columns) -> Select[Any]:
        statement = (
            select(*(c.label(n) for n, c in groups), *(c.label(n) for n, c in measures))
            .select_from(links.from_clause())
            .where(and_(*where))
        )
        if groups:
            # by position: a computed group (`year(d) - 1`) would otherwise bind its literal
            # twice, which PostgreSQL refuses as two different expressions
            positions: list[ColumnElement[Any]] = [
                literal_column(str(n + 1)) for n in range(len(groups))
            ]
            statement = statement.group_by(*positions).order_by(*positions)
        return statement

    def previous() -> Select[Any]:
        shifted = period_shifted(report.group_by[0])
        assert shifted is not None  # checked at import
        first = (groups[0][0], shifted.to_sql(resolve))
        return grouped([first, *groups[1:]], measures)

    statement = grouped(groups, measures)
    names = [n for n, _ in groups + measures]
    if groups and links.visible(report.group_by[0]):  # over time only along the first group
        statement, names = with_windows(statement, groups, measures, report.options, previous)
    if limit is not None:
        statement = statement.limit(limit)
    rows = [dict(row) for row in session.execute(statement).mappings()]
    # a compared measure's previous value and change count as measures (tables, charts)
    return ReportResult(report, names, [n for n, _ in groups], names[len(groups) :], rows)
