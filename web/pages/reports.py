"""Report pages: the reports a user may read, and each one as a chart above a table.

A report page answers what the API's report endpoint answers for the same viewer and
filters (`engine.reports.run_compiled_report`: in SQL, scoped, hidden fields withheld),
and adds what people need to read it: the pack's declared chart, the module's list
filters (the same form as the list, kept in the URL so a view can be shared), sorting by
a column, pages of PER_PAGE rows, a totals row over all rows (added up from the groups,
or computed in SQL when a measure is an average), and the same rows as CSV or XLSX
through web/spreadsheets.py. A click on a bar, slice or row opens the module's list
filtered to that group's records (web/pages/report_tables.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from engine.abilities import abilities
from engine.catalog import load_catalog
from engine.errors import ValidationFailed
from engine.records import parse_list_params
from engine.reports import ReportResult, run_compiled_report
from web.charts import chart_option, fill_grid
from web.i18n import text
from web.pages.context import actor, db, is_htmx
from web.pages.lists import filter_widgets, list_params, page_numbers
from web.pages.messages import problem_text
from web.pages.report_tables import (
    Formatter,
    RowLinks,
    column_titles,
    combined_totals,
    link_titles,
    measure_scales,
    number_symbols,
    report_groups,
)
from web.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes

PER_PAGE = 50
RESULTS_ID = "report-results"
FORMATS = ("csv", "xlsx")

bp = Blueprint("report_pages", __name__)


@bp.get("/reports")
@login_required
def index() -> ResponseReturnValue:
    """The reports over modules the user may read, grouped by module in pack order."""
    who = actor()
    with db() as session:
        catalog = load_catalog(session)
        sections = []
        for pack in catalog.packs.values():
            for module in pack.modules:
                reports = [r for r in catalog.reports.values() if r.module == module.id]
                if reports and abilities(who, module).read:
                    sections.append((module, sorted(reports, key=lambda r: text(r.title))))
    return render_template("reports/index.html", sections=sections)


def _filter_params(args: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in args.items() if k.startswith("filter")}


def _sorted_rows(
    result: ReportResult, params: Mapping[str, str]
) -> tuple[list[dict[str, Any]], str | None, bool]:
    """The rows in the order the user asked (a known column, `-` for descending), empty
    values last; else the report's own order."""
    wanted = params.get("sort", "")
    name = wanted.lstrip("-")
    if name not in result.columns:
        return result.rows, None, False
    descending = wanted.startswith("-")
    filled = [r for r in result.rows if r.get(name) is not None]
    empty = [r for r in result.rows if r.get(name) is None]
    filled.sort(key=lambda r: r[name], reverse=descending)
    return filled + empty, name, descending


def _page(params: Mapping[str, str], rows: int) -> tuple[int, int]:
    pages = max(1, -(-rows // PER_PAGE))
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        page = 1
    return min(max(page, 1), pages), pages


def _run(report_id: str, params: Mapping[str, str]) -> dict[str, Any]:
    """Everything the page and the downloads show: the rows as the API gives them, their
    totals over all rows (one more statement without the groups), titles and links."""
    who = actor()
    with db() as session:
        catalog = load_catalog(session)
        report = catalog.report(report_id)
        module = catalog.module(report.module)
        answer = abilities(who, module)
        answer.require_read()
        filters_in = _filter_params(params)
        # a report over several sources has no one module's list filters
        widgets = [] if report.sources else filter_widgets(session, module, who, filters_in)
        try:
            filters = parse_list_params(module, filters_in, who).filters
        except ValidationFailed as exc:
            return {
                "report": report,
                "module": module,
                "widgets": widgets,
                "problems": exc.problems,
            }
        result = run_compiled_report(session, catalog, report, who, filters)
        totals: dict[str, Any] = {}
        if result.groups and result.measures:
            combined = combined_totals(report, result)
            if combined is None:  # an average: over all rows, in SQL
                overall = dataclasses.replace(report, group_by=())
                rows = run_compiled_report(session, catalog, overall, who, filters).rows
                combined = rows[0] if rows else {}
            totals = combined
        groups = report_groups(report, module, answer.visible)
        groups = [g for g in groups if g.name in result.groups]  # linked fields withheld too
        titles = link_titles(session, catalog, groups, result.rows, who)
    formatter = Formatter(
        {g.name: g for g in groups}, titles, measure_scales(result), number_symbols()
    )
    return {
        "report": report,
        "module": module,
        "widgets": widgets,
        "problems": [],
        "result": result,
        "totals": totals,
        "groups": groups,
        "format": formatter,
        "titles": column_titles(module, report, groups, result.measures),
        "links": RowLinks(module, report, groups, filters_in),
    }


def _chart(data: dict[str, Any]) -> dict[str, Any] | None:
    """The report's declared chart over all its rows, when the reader sees its x, y and
    series (a withheld measure or group leaves no chart rather than a wrong one)."""
    chart = data["report"].chart
    if not chart:
        return None
    names = {g.source: g.name for g in data["groups"]}
    x = names.get("".join(str(chart.get("x", "")).split()))
    series_source = chart.get("series")
    series = names.get("".join(str(series_source).split())) if series_source else None
    y = chart.get("y")
    result: ReportResult = data["result"]
    if x is None or y not in result.measures or (series_source and series is None):
        return None
    if len(result.groups) > 1 + (1 if series else 0):
        return None  # more groups than the chart draws: points would pile up
    rows: Sequence[Mapping[str, Any]] = result.rows
    if chart.get("type") == "heatmap":  # over choices, every cell: a 5 × 5 risk matrix
        fields = {g.name: g.field for g in data["groups"]}
        drawn = [name for name in (x, series) if name]
        domains = {name: list((f.enum or ()) if (f := fields.get(name)) else ()) for name in drawn}
        if all(domains.values()):
            rows = fill_grid(rows, domains)
    return chart_option(
        str(chart.get("type")),
        rows,
        x,
        str(y),
        series,
        label=data["format"].text,
        link=data["links"],
        y_title=data["titles"][result.columns.index(y)],
        x_title=data["titles"][result.columns.index(x)],
    )


@bp.get("/reports/<report_id>")
@login_required
def show(report_id: str) -> ResponseReturnValue:
    """A report as its chart and a table; htmx requests get only the results."""
    params = list_params(request.args)
    data = _run(report_id, params)
    context: dict[str, Any] = {
        **data,
        "params": params,
        "results_id": RESULTS_ID,
        "problems": [problem_text(p, data["module"]) for p in data["problems"]],
    }
    status = 422 if data["problems"] else 200
    if "result" in data:
        rows, sorted_by, descending = _sorted_rows(data["result"], params)
        page, pages = _page(params, len(rows))
        context.update(
            rows=rows[(page - 1) * PER_PAGE : page * PER_PAGE],
            row_count=len(rows),
            page=page,
            pages=pages,
            page_numbers=page_numbers(page, pages),
            sorted_by=sorted_by,
            descending=descending,
            chart=_chart(data),
            url_with=lambda **changes: _url_with(report_id, params, **changes),
            download_query=urlencode(sorted((k, v) for k, v in params.items() if k != "page")),
        )
    if is_htmx() and request.headers.get("HX-Target") == RESULTS_ID:
        return render_template("reports/_results.html", **context), status
    return render_template("reports/show.html", **context), status


def _url_with(report_id: str, params: Mapping[str, str], **changes: Any) -> str:
    merged = dict(params)
    for key, value in changes.items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    query = urlencode(sorted(merged.items()))
    base = url_for("report_pages.show", report_id=report_id)
    return f"{base}?{query}" if query else base


@bp.get("/reports/<report_id>/download")
@login_required
def download(report_id: str) -> ResponseReturnValue:
    """The report's rows (filtered and sorted as on the page) as CSV or XLSX."""
    fmt = request.args.get("format", "")
    if fmt not in FORMATS:
        abort(404)
    params = list_params(request.args)
    data = _run(report_id, params)
    if data["problems"]:
        raise ValidationFailed(list(data["problems"]))
    result: ReportResult = data["result"]
    rows, _, _ = _sorted_rows(result, params)
    formatter: Formatter = data["format"]
    cells = [[formatter.cell(c, row.get(c)) for c in result.columns] for row in rows]
    title = text(data["report"].title)
    if fmt == "csv":
        body, mimetype = csv_bytes(data["titles"], cells), CSV_TYPE
    else:
        formats = [formatter.number_format(c) for c in result.columns]
        body, mimetype = xlsx_bytes(title, data["titles"], cells, formats), XLSX_TYPE
    response = Response(body, mimetype=mimetype)
    filename = f"{report_id}-{dt.date.today().isoformat()}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
