"""CSV and XLSX export of a list view, for roles that may export.

The export takes the list's filters, search and sort from the URL and writes every matching
record (up to MAX_ROWS), in the list's columns as the user sees them (`fields=all`: then
every other field they see). A text cell that a spreadsheet would run as a formula (starting
with = + - @, a tab or a carriage return) is written with a leading apostrophe, so it stays
text; numbers are written as numbers and dates as dates. The XLSX file of a module with child
tables carries their rows on sheets of their own, joined by the record number, so that the
file imports back as it was (web/pages/export_book.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog, load_catalog
from engine.definitions.model import Module
from engine.errors import PermissionDenied, ValidationFailed
from engine.records import ListQuery, list_records, parse_list_params
from engine.records.model import Record
from web.i18n import text
from web.pages.context import actor, db
from web.pages.export_book import (
    NUMBER,
    ChildSheet,
    add_child_rows,
    all_columns,
    batch_labels,
    child_sheets,
    record_cell,
)
from web.pages.formatting import field_title
from web.pages.lists import engine_params, list_params, visible_columns
from web.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes

MAX_ROWS = 100_000
BATCH = 200

bp = Blueprint("exports", __name__)


def _batches(
    session: Session, module: Module, who: Actor, params: dict[str, str], children: bool
) -> Iterator[list[Record]]:
    base = parse_list_params(module, engine_params(module, params), who)
    written = 0
    page_number = 1
    while written < MAX_ROWS:
        query = ListQuery(base.filters, base.search, base.sort, page_number, BATCH, False, children)
        page = list_records(session, module.id, who, query)
        yield page.items
        written += len(page.items)
        if page_number >= page.pages or not page.items:
            return
        page_number += 1


@bp.get("/m/<module_id>/export")
@login_required
def export(module_id: str) -> ResponseReturnValue:
    """The list view as CSV (`format=csv`) or XLSX (`format=xlsx`)."""
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(404)
    who = actor()
    params = {
        k: v
        for k, v in list_params(request.args).items()
        if k not in ("page", "per_page", "fields")
    }
    with db() as session:
        catalog = load_catalog(session)
        module = catalog.module(module_id)
        answer = abilities(who, module)
        answer.require_read()
        if not answer.export:
            raise PermissionDenied(code="export_not_allowed", module=module.id)
        columns = visible_columns(module, who, answer)
        if request.args.get("fields") == "all":
            columns = all_columns(module, columns, answer)
        title = text(module.title)
        sheets = child_sheets(module, answer, [title]) if fmt == "xlsx" else []
        if sheets and NUMBER not in columns:
            columns = [NUMBER, *columns]  # the child rows are joined by it
        headings = [field_title(module, c) for c in columns]
        try:
            rows = _rows(session, catalog, module, who, params, columns, sheets)
        except ValidationFailed:
            abort(400)
    stamp = dt.date.today().isoformat()
    if fmt == "csv":
        body, mimetype = csv_bytes(headings, rows), CSV_TYPE
    else:
        more = [(s.title, s.headings, s.rows) for s in sheets]
        body, mimetype = xlsx_bytes(title, headings, rows, more=more), XLSX_TYPE
    response = Response(body, mimetype=mimetype)
    filename = f"{module.id}-{stamp}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _rows(
    session: Session,
    catalog: Catalog,
    module: Module,
    who: Actor,
    params: dict[str, str],
    columns: list[str],
    sheets: list[ChildSheet],
) -> list[list[Any]]:
    """The main sheet's rows; the child rows are added to their `sheets`."""
    rows: list[list[Any]] = []
    tables = [s.table for s in sheets]
    for batch in _batches(session, module, who, params, bool(sheets)):
        labels = batch_labels(session, catalog, module, columns, tables, batch, who)
        for record in batch:
            rows.append([record_cell(module, c, record, labels) for c in columns])
            add_child_rows(sheets, record, labels)
    return rows
