"""Reports: grouped aggregates of one module, computed in SQL.

A report groups a module's records by expressions (`worker`, `month(date)`) and computes
measures (`count()`, `sum(amount)`) in one statement, over only the rows the viewer may read,
optionally narrowed by the module's list filters. Fields hidden from the viewer are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, literal_column, select
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog, load_catalog
from engine.definitions.model import Report
from engine.expressions import Expression
from engine.records.query import Filter, filter_clauses
from engine.records.reading import resolver

IDENTIFIER = re.compile(r"^\$?[a-z][a-z0-9_]*$")
CALL = re.compile(r"^([a-z_]+)\(")


@dataclass
class ReportResult:
    report: Report
    columns: list[str]
    groups: list[str]
    measures: list[str]
    rows: list[dict[str, Any]]


def column_name(expression: Expression, taken: set[str]) -> str:
    """`worker` for a field, `month` for `month(date)`, made unique within the report."""
    source = expression.source.strip()
    if IDENTIFIER.match(source):
        name = source.lstrip("$")
    elif match := CALL.match(source):
        name = match.group(1)
    else:
        name = "group"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _visible(expression: Expression, hidden: set[str]) -> bool:
    return not any(ref[0] in hidden for ref in expression.references)


def run_report(
    session: Session, report_id: str, actor: Actor, filters: Sequence[Filter] = ()
) -> ReportResult:
    """Rows of a report as `actor` may see them (scopes and hidden fields respected)."""
    catalog = load_catalog(session)
    return run_compiled_report(session, catalog, catalog.report(report_id), actor, filters)


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
    hidden = {f.name for f in module.fields} - may.visible
    table = catalog.tables[module.id].main
    resolve = resolver(table, module, catalog, actor)  # stored rollups, as the actor may see
    taken: set[str] = set()
    groups: list[tuple[str, Any]] = []
    for expression in report.group_by:
        if _visible(expression, hidden):
            groups.append((column_name(expression, taken), expression.to_sql(resolve)))
    measures: list[tuple[str, Any]] = []
    for name, expression in report.measures.items():
        if _visible(expression, hidden):
            taken.add(name)
            measures.append((name, expression.to_sql(resolve, aggregate=True)))
    where = [may.scope(table)]
    if report.where is not None:
        where.append(report.where.to_sql(resolve))
    where += filter_clauses(session, module, table, filters)
    statement = (
        select(*(c.label(n) for n, c in groups), *(c.label(n) for n, c in measures))
        .select_from(table)
        .where(and_(*where))
    )
    if groups:
        # by position: a computed group (`year(d) - 1`) would otherwise bind its literal twice,
        # which PostgreSQL refuses as two different expressions
        positions: list[ColumnElement[Any]] = [
            literal_column(str(n + 1)) for n in range(len(groups))
        ]
        statement = statement.group_by(*positions).order_by(*positions)
    if limit is not None:
        statement = statement.limit(limit)
    rows = [dict(row) for row in session.execute(statement).mappings()]
    names = [n for n, _ in groups] + [n for n, _ in measures]
    return ReportResult(report, names, [n for n, _ in groups], [n for n, _ in measures], rows)
