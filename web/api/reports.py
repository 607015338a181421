"""Reports through the API: rows as JSON, CSV or XLSX, over the rows the caller may read.

`?format=csv|xlsx` downloads the same rows as a file, written by web/spreadsheets.py like
every export, so an exported value can never run as a formula. Filters use the
list syntax on the report's module (`filter[date][gte]=2026-03-01`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from engine.abilities import abilities
from engine.catalog import load_catalog
from engine.errors import Problem, ValidationFailed
from engine.records import parse_list_params
from engine.reports import run_report
from web.api.common import query_params, readable_module, text
from web.api.context import api_session
from web.api.operations import operation
from web.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes

bp = Blueprint("reports", __name__)

FORMATS = ("json", "csv", "xlsx")


def _table(columns: list[str], rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[row.get(c) for c in columns] for row in rows]


@bp.get("/reports")
@operation("reports.list")
def reports() -> ResponseReturnValue:
    """The reports over modules the caller may read."""
    with api_session() as (session, actor):
        catalog = load_catalog(session)
        items = [
            {
                "id": report.id,
                "title": text(report.title),
                "module": report.module,
            }
            for report in sorted(catalog.reports.values(), key=lambda r: r.id)
            if report.module in catalog.modules
            and abilities(actor, catalog.modules[report.module]).read
        ]
        return jsonify({"items": items})


@bp.get("/reports/<report_id>")
@operation("reports.read")
def report(report_id: str) -> ResponseReturnValue:
    """The rows of one report: `{"columns": [...], "rows": [{...}]}`, or a CSV/XLSX file."""
    wanted = request.args.get("format", "json")
    with api_session() as (session, actor):
        definition = load_catalog(session).report(report_id)
        module = readable_module(session, actor, definition.module)
        if wanted not in FORMATS:
            raise ValidationFailed(
                [Problem("format", "not_a_choice", {"value": wanted, "choices": FORMATS})]
            )
        params = {k: v for k, v in query_params().items() if k.startswith("filter")}
        filters = parse_list_params(module, params, actor).filters
        result = run_report(session, report_id, actor, filters=filters)
        title = text(definition.title)
    if wanted == "json":
        return jsonify(
            {
                "id": report_id,
                "title": title,
                "module": module.id,
                "columns": result.columns,
                "groups": result.groups,
                "measures": result.measures,
                "rows": result.rows,
            }
        )
    filename = f"{report_id}.{wanted}"
    if wanted == "csv":
        body, mimetype = csv_bytes(result.columns, _table(result.columns, result.rows)), CSV_TYPE
    else:
        rows = _table(result.columns, result.rows)
        body, mimetype = xlsx_bytes(title, result.columns, rows), XLSX_TYPE
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
