"""The builder's report edits: a draft module's reports, added, changed and removed.

A report is written as PACK_FORMAT's `reports` writes it (id, title, module, where, group_by,
measures, chart), so what the builder makes imports elsewhere unchanged. Every expression is
checked by the expression editor's own check (engine/builder/expressions.py), which runs the
pack checks' check in the scope engine/definitions/check_reports.py uses: a filter and the
groups must not aggregate, a measure must. The chart's axes are checked by check_reports
itself. A refused edit raises ValidationFailed with every problem at its JSON Pointer, and
the pack given is never changed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.builder.edits import FIELD_ID, MODULE_ID, Pack, module_index, refuse, suggest_id
from engine.builder.expressions import check_expression, read_catalogue
from engine.definitions.check_reports import check_reports
from engine.definitions.context import PackContext
from engine.errors import ExpressionError, Problem, ValidationFailed
from engine.expressions import parse
from engine.reports import column_name

CHART_TYPES = (
    "bar",
    "line",
    "pie",
    "area",
    "stacked_bar",
    "heatmap",
)  # the meta-schema's chart types
AXES = ("x", "y", "series")


@dataclass(frozen=True)
class Chart:
    """How a report is drawn: `y` (a measure) against `x` and `series` (groups)."""

    type: str
    x: str
    y: str
    series: str = ""


@dataclass(frozen=True)
class ReportForm:
    """A report as the admin wrote it: titles, filter, groups, (name, expression) measures."""

    title: Mapping[str, str]
    where: str = ""
    group_by: Sequence[str] = ()
    measures: Sequence[tuple[str, str]] = ()
    chart: Chart | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # kept as it was (description)


def reports_of(pack: Mapping[str, Any], module_id: str) -> list[dict[str, Any]]:
    """The pack's reports over `module_id`, in the pack's order."""
    return [
        r for r in pack.get("reports") or () if isinstance(r, dict) and r.get("module") == module_id
    ]


def report_ids(pack: Mapping[str, Any]) -> list[str]:
    return [str(r.get("id")) for r in pack.get("reports") or () if isinstance(r, Mapping)]


def _index(pack: Mapping[str, Any], module_id: str, report_id: str) -> int:
    for index, report in enumerate(pack.get("reports") or ()):
        if isinstance(report, Mapping) and (report.get("id"), report.get("module")) == (
            report_id,
            module_id,
        ):
            return index
    raise refuse("/reports", "builder_unknown_report", value=report_id)


def id_for_report(
    pack: Mapping[str, Any], title_en: str, typed: str = "", taken: Iterable[str] = ()
) -> tuple[str, Problem | None]:
    """The id a new report gets (typed, or derived from its English title) and why it cannot
    have it (invalid, or taken by this pack or by `taken`, other packs' reports), or None."""
    used = set(report_ids(pack)) | set(taken)
    name = typed.strip() or suggest_id(title_en, used, "report")
    if not MODULE_ID.match(name):
        return name, Problem("/reports", "builder_id_invalid", {"value": name, "limit": 63})
    if name in used:
        return name, Problem("/reports", "builder_report_taken", {"value": name})
    return name, None


def _checked(
    pack: Mapping[str, Any], module_id: str, where: str, text: str, path: str
) -> list[Problem]:
    """The expression editor's problems of `text`, placed at `path`."""
    found = check_expression(pack, module_id, where, text)
    return [Problem(path, p.code, p.params) for p in found.problems]


def _groups(pack: Pack, module_id: str, form: ReportForm, base: str) -> list[Problem]:
    problems: list[Problem] = []
    for position, text in enumerate(form.group_by):
        path = f"{base}/group_by/{position}"
        if text in form.group_by[:position]:
            problems.append(Problem(path, "builder_group_twice", {"value": text}))
            continue
        problems += _checked(pack, module_id, "report_group", text, path)
    return problems


def _measures(pack: Pack, module_id: str, form: ReportForm, base: str) -> list[Problem]:
    if not form.measures:
        return [Problem(f"{base}/measures", "builder_measures_missing", {})]
    problems: list[Problem] = []
    columns = _group_columns(form.group_by)
    seen: set[str] = set()
    for name, text in form.measures:
        path = f"{base}/measures/{name}"
        if not FIELD_ID.match(name):
            problems.append(Problem(path, "builder_id_invalid", {"value": name, "limit": 63}))
        elif name in seen:
            problems.append(Problem(path, "builder_measure_twice", {"value": name}))
        elif name in columns:
            problems.append(Problem(path, "builder_measure_is_group", {"value": name}))
        seen.add(name)
        if not text.strip():
            problems.append(Problem(path, "builder_measure_empty", {"value": name}))
        else:
            problems += _checked(pack, module_id, "report_measure", text, path)
    return problems


def _group_columns(group_by: Sequence[str]) -> set[str]:
    """The column names the report's rows give its groups (engine/reports.column_name)."""
    taken: set[str] = set()
    for text in group_by:
        try:
            column_name(parse(text), taken)
        except ExpressionError:
            continue  # refused by its own check
    return taken


def _chart(pack: Pack, report: Mapping[str, Any], base: str) -> list[Problem]:
    """The chart's problems: its type and missing axes here, the rest by check_reports."""
    chart = report.get("chart")
    if not isinstance(chart, Mapping):
        return []
    if chart.get("type") not in CHART_TYPES:
        params = {"value": chart.get("type"), "choices": ", ".join(CHART_TYPES)}
        return [Problem(f"{base}/chart/type", "builder_chart_type", params)]
    missing = [key for key in ("x", "y") if not chart.get(key)]
    if missing:
        return [Problem(f"{base}/chart/{key}", "builder_chart_axis_missing", {}) for key in missing]
    ctx = PackContext(pack={"reports": [report]}, catalogue=read_catalogue(pack), roles=frozenset())
    check_reports(ctx)
    return [
        Problem(base + p.path.removeprefix("/reports/0"), p.code, p.params)
        for p in ctx.problems
        if p.path.startswith("/reports/0/chart")
    ]


def _written(report_id: str, module_id: str, form: ReportForm) -> dict[str, Any]:
    """The report as the pack format writes it: empty parts left out."""
    report: dict[str, Any] = {
        **{k: v for k, v in form.extra.items() if k not in ("where", "group_by", "chart")},
        "id": report_id,
        "title": dict(form.title),
        "module": module_id,
    }
    if form.where.strip():
        report["where"] = form.where.strip()
    if form.group_by:
        report["group_by"] = list(form.group_by)
    before = form.extra.get("measures")
    before = before if isinstance(before, Mapping) else {}
    report["measures"] = {name: _measure(before.get(name), text) for name, text in form.measures}
    if form.chart is not None and form.chart.type:
        chart = {"type": form.chart.type, "x": form.chart.x, "y": form.chart.y}
        report["chart"] = chart | ({"series": form.chart.series} if form.chart.series else {})
    return report


def _measure(before: Any, text: str) -> Any:
    """A measure as written: its expression, keeping the options the report gave it before
    (`{"value": .., "cumulative": true}`, `compare`), which the form does not edit."""
    if isinstance(before, Mapping):
        return {**before, "value": text.strip()}
    return text.strip()


def set_report(
    pack: Mapping[str, Any],
    module_id: str,
    report_id: str,
    form: ReportForm,
    *,
    new_id: str = "",
    taken: Iterable[str] = (),
) -> tuple[Pack, str]:
    """The pack with the report added (`report_id` empty: its id is `new_id`, or one derived
    from the English title) or changed, and its id. `taken`: other packs' report ids."""
    result = copy.deepcopy(dict(pack))
    module_index(result, module_id)  # an unknown module is refused first
    reports: list[Any] = result.setdefault("reports", [])
    if report_id:
        index = _index(result, module_id, report_id)
        name = report_id
    else:
        name, problem = id_for_report(result, form.title.get("en", ""), new_id, taken)
        if problem is not None:
            raise ValidationFailed([problem])
        index = len(reports)
    base = f"/reports/{index}"
    form = ReportForm(
        form.title,
        form.where,
        [g.strip() for g in form.group_by if g.strip()],
        [(n.strip(), t) for n, t in form.measures if n.strip() or t.strip()],
        form.chart,
        reports[index] if report_id else {},
    )
    problems: list[Problem] = []
    if form.where.strip():
        problems += _checked(result, module_id, "report_where", form.where, f"{base}/where")
    problems += _groups(result, module_id, form, base)
    problems += _measures(result, module_id, form, base)
    report = _written(name, module_id, form)
    if not problems:
        problems += _chart(result, report, base)
    if problems:
        raise ValidationFailed(problems)
    if report_id:
        reports[index] = report
    else:
        reports.append(report)
    return result, name


def remove_report(pack: Mapping[str, Any], module_id: str, report_id: str) -> Pack:
    """The pack without the report (an empty `reports` list is left out)."""
    result = copy.deepcopy(dict(pack))
    del result["reports"][_index(result, module_id, report_id)]
    if not result["reports"]:
        del result["reports"]
    return result
