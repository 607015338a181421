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
from engine.definitions.context import DatabaseUse, PackContext, Path, listing
from engine.definitions.scope import ModuleInfo, RecordScope, suggest


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


def _check_report(
    ctx: PackContext, module: ModuleInfo, path: Path, report: Mapping[str, Any]
) -> None:
    scope = RecordScope(ctx.catalogue, module)
    rid = report["id"]

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
            if checked.known:
                aggregate = aggregation == "required"
                described = f"report {rid!r} {what}"
                check_in_database(
                    ctx, where, described, checked.expression, module, aggregate=aggregate
                )

    if isinstance(report.get("where"), str):
        check((*path, "where"), report["where"], "forbidden", "where")
    group_by = list(report.get("group_by") or ())
    for position, text in enumerate(group_by):
        check((*path, "group_by", position), text, "forbidden", "group_by")
    measures: Mapping[str, str] = report.get("measures") or {}
    for name, text in measures.items():
        check((*path, "measures", name), text, "required", f"measure {name!r}")
    chart = report.get("chart")
    if not isinstance(chart, Mapping):
        return
    for key in ("x", "series"):
        value = chart.get(key)
        if isinstance(value, str) and value not in group_by:
            params = {"key": key, "value": value, "fields": listing(group_by)}
            ctx.add_problem((*path, "chart", key), "chart_not_grouped", params)
    y = chart.get("y")
    if isinstance(y, str) and y not in measures:
        params = {"value": y, "hint": suggest(y, measures), "fields": listing(list(measures))}
        ctx.add_problem((*path, "chart", "y"), "chart_not_a_measure", params)
