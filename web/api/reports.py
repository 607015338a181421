"""Reports through the API: rows as JSON, CSV or XLSX, over the rows the caller may read.

`?format=csv|xlsx` downloads the same rows as a file. A text cell that a spreadsheet would
take for a formula (`=`, `+`, `-`, `@`, tab, carriage return at the start) is written with
a leading apostrophe, so an exported value can never run as a formula. Filters use the
list syntax on the report's module (`filter[date][gte]=2026-03-01`).
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from engine import permissions
from engine.catalog import load_catalog
from engine.errors import Problem, ValidationFailed
from engine.records import parse_list_params
from engine.reports import run_report
from web.api.common import query_params, readable_module, text
from web.api.context import api_session

bp = Blueprint("reports", __name__)

FORMATS = ("json", "csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value that a spreadsheet shows as written, never evaluates."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def _xlsx(title: str, columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "report")
    sheet.append([safe_cell(c) for c in columns])
    for row in rows:
        cells = []
        for c in columns:
            value = safe_cell(row.get(c))
            cells.append(float(value) if isinstance(value, Decimal) else value)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@bp.get("/reports")
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
            and permissions.may_read_module(actor, catalog.modules[report.module])
        ]
        return jsonify({"items": items})


@bp.get("/reports/<report_id>")
def report(report_id: str) -> ResponseReturnValue:
    """The rows of one report: `{"columns": [...], "rows": [{...}]}`, or a CSV/XLSX file."""
    wanted = request.args.get("format", "json")
    with api_session() as (session, actor):
        definition = load_catalog(session).report(report_id)
        module = readable_module(session, actor, definition.module)
        if wanted not in FORMATS:
            raise ValidationFailed([Problem("format", f"use one of {', '.join(FORMATS)}")])
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
        body, mimetype = _csv(result.columns, result.rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = _xlsx(title, result.columns, result.rows), XLSX
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
