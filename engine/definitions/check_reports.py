"""Check the pack's reports: a known module, SQL-computable expressions, a consistent chart.

A report is one grouped SQL query: `where` and `group_by` are computed per record and must not
aggregate, each measure must aggregate, and nothing may depend on the clock. The chart draws
one measure (`y`) against a grouping (`x`, and `series` for a second one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from engine.definitions.check_database import check_in_database
from engine.definitions.check_expressions import Aggregation, check_expression
from engine.definitions.check_report_sources import sources_scope
from engine.definitions.check_row_rollups import rows_report_scope
from engine.definitions.compiler import measure_text
from engine.definitions.context import DatabaseUse, PackContext, Path, listing
from engine.definitions.scope import ModuleInfo, RecordScope, Scope, suggest
from engine.report_windows import PERIOD

COMPARED = ("previous", "change", "change_pct")  # the columns a compared measure adds


def check_reports(ctx: PackContext) -> None:
    """Check every report of the pack."""
    reports = [r for r in ctx.pack.get("reports") or () if isinstance(r, Mapping)]
    counts = Counter(r.get("id") for r in reports)
    seen: set[str] = set()
    for index, report in enumerate(reports):
        path: Path = ("reports", index)
        rid = report["id"]
        if counts[rid] > 1 and rid in seen:
            ctx.add_problem((*path, "id"), "report_id_twice", {"report": rid})
        seen.add(rid)
        module = ctx.catalogue.get(report["module"])
        if module is None:
            params = {
                "report": rid,
                "module": report["module"],
                "hint": suggest(report["module"], ctx.catalogue),
            }
            ctx.add_problem((*path, "module"), "report_unknown_module", params)
            continue
        _check_report(ctx, module, path, report)


def _scope(
    ctx: PackContext, module: ModuleInfo, path: Path, report: Mapping[str, Any]
) -> Scope | None:
    """What the report's expressions may name; None when that cannot be known."""
    if "rows" in report:  # over a child table's rows (engine/report_rows.py)
        return rows_report_scope(ctx, module, path, report)
    if "sources" in report:  # several modules unioned (engine/report_sources.py)
        return sources_scope(ctx, path, report)
    return RecordScope(ctx.catalogue, module)


def _check_report(
    ctx: PackContext, module: ModuleInfo, path: Path, report: Mapping[str, Any]
) -> None:
    rid = report["id"]
    scope = _scope(ctx, module, path, report)
    if scope is None:
        return

    def check(where: Path, text: str, aggregation: Aggregation, what: str) -> None:
        checked = check_expression(ctx, where, text, scope, aggregation=aggregation)
        if checked is not None:
            ctx.database_uses.append(
                DatabaseUse(
                    where,
                    f"report {rid!r} {what}",
                    module.id,
                    checked.depends,
                    checked.expression.uses_clock,
                )
            )
            # rows and sources: tried when first run
            if checked.known and "rows" not in report and "sources" not in report:
                aggregate = aggregation == "required"
                described = f"report {rid!r} {what}"
                check_in_database(
                    ctx,
                    where,
                    described,
                    checked.expression,
                    module,
                    aggregate=aggregate,
                    links=ctx.catalogue,
                )

    if isinstance(report.get("where"), str):
        check((*path, "where"), report["where"], "forbidden", "where")
    group_by = list(report.get("group_by") or ())
    for position, text in enumerate(group_by):
        check((*path, "group_by", position), text, "forbidden", "group_by")
    measures: Mapping[str, Any] = report.get("measures") or {}
    for name, measure in measures.items():
        where = (*path, "measures", name)
        check(where, measure_text(measure), "required", f"measure {name!r}")
        if isinstance(measure, Mapping):
            _check_over_time(ctx, where, name, measure, group_by)
    chart = report.get("chart")
    if not isinstance(chart, Mapping):
        return
    for key in ("x", "series"):
        value = chart.get(key)
        if isinstance(value, str) and value not in group_by:
            params = {"key": key, "value": value, "fields": listing(group_by)}
            ctx.add_problem((*path, "chart", key), "chart_not_grouped", params)
    y = chart.get("y")
    compared = [f"{m}_{s}" for m in measures for s in COMPARED if _compares(measures[m])]
    if isinstance(y, str) and y not in measures and y not in compared:
        params = {"value": y, "hint": suggest(y, measures), "fields": listing(list(measures))}
        ctx.add_problem((*path, "chart", "y"), "chart_not_a_measure", params)


def _check_over_time(
    ctx: PackContext, path: Path, name: str, measure: Mapping[str, Any], group_by: list[Any]
) -> None:
    """A running total needs a group to run over; a previous period needs a period group."""
    if measure.get("cumulative") and not group_by:
        ctx.add_problem((*path, "cumulative"), "report_cumulative_ungrouped", {"measure": name})
    if measure.get("compare"):
        first = group_by[0] if group_by else ""
        if not isinstance(first, str) or PERIOD.match(first) is None:
            params = {"measure": name, "group": first}
            ctx.add_problem((*path, "compare"), "report_compare_not_period", params)


def _compares(measure: Any) -> bool:
    return isinstance(measure, Mapping) and measure.get("compare") == "previous"
