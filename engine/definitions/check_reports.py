"""Check the pack's reports: a known module, SQL-computable expressions, a consistent chart.

A report is one grouped SQL query: `where` and `group_by` are computed per record and must not
aggregate, each measure must aggregate, and nothing may depend on the clock. The chart draws
one measure (`y`) against a grouping (`x`, and `series` for a second one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

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
            ctx.add((*path, "id"), f"report id {rid!r} is used more than once")
        seen.add(rid)
        module = ctx.catalogue.get(report["module"])
        if module is None:
            ctx.add(
                (*path, "module"),
                f"report {rid!r} reads module {report['module']!r}, which is neither in this "
                f"pack nor installed{suggest(report['module'], ctx.catalogue)}",
            )
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
            ctx.add(
                (*path, "chart", key),
                f"chart {key} {value!r} must be one of the report's group_by: {listing(group_by)}",
            )
    y = chart.get("y")
    if isinstance(y, str) and y not in measures:
        ctx.add(
            (*path, "chart", "y"),
            f"chart y {y!r} must name a measure{suggest(y, measures)}: {listing(list(measures))}",
        )
