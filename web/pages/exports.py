"""CSV and XLSX export of a list view, for roles that may export.

The export takes the list's filters, search and sort from the URL and writes every matching
record (up to MAX_ROWS), in the list's columns as the user sees them. A text cell that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
written with a leading apostrophe, so it stays text; numbers are written as numbers.
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
from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.errors import PermissionDenied, ValidationFailed
from engine.records import ListQuery, list_records, parse_list_params
from engine.records.model import Record
from web.i18n import text
from web.pages.context import actor, db
from web.pages.formatting import (
    field_title,
    restricted_text,
    state_title,
    user_text,
    value_text,
)
from web.pages.lists import engine_params, list_params, visible_columns
from web.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes

MAX_ROWS = 100_000
BATCH = 200

bp = Blueprint("exports", __name__)


def cell_value(module: Module, name: str, record: Record) -> Any:
    """A value for a spreadsheet cell: numbers stay numbers, everything else as shown."""
    if name == "$number":
        raw: Any = record.number or record.id
    elif name == "$state":
        raw = state_title(module, record.state)
    elif name == "$owner":
        raw = user_text(record.owner) if record.owner else ""
    elif name in ("$created_at", "$updated_at"):
        raw = value_text(None, getattr(record, name[1:]))
    elif name in record.restricted:
        raw = restricted_text()
    else:
        f = module.field(name)
        value = record.data.get(name)
        if f is not None and f.numeric and value is not None:
            return value
        if f is not None and f.kind_type.links:
            raw = record.titles.get(name) or (value or "")
        else:
            raw = value_text(f, value)
    return str(raw)


def _records(
    session: Session, module: Module, who: Actor, params: dict[str, str]
) -> Iterator[Record]:
    base = parse_list_params(module, engine_params(module, params), who)
    written = 0
    page_number = 1
    while written < MAX_ROWS:
        query = ListQuery(base.filters, base.search, base.sort, page_number, BATCH, False, False)
        page = list_records(session, module.id, who, query)
        yield from page.items
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
    params = {k: v for k, v in list_params(request.args).items() if k not in ("page", "per_page")}
    with db() as session:
        module = load_catalog(session).module(module_id)
        answer = abilities(who, module)
        answer.require_read()
        if not answer.export:
            raise PermissionDenied(code="export_not_allowed", module=module.id)
        columns = visible_columns(module, who, answer)
        headings = [field_title(module, c) for c in columns]
        try:
            rows = [
                [cell_value(module, c, r) for c in columns]
                for r in _records(session, module, who, params)
            ]
        except ValidationFailed:
            abort(400)
    title = text(module.title)
    stamp = dt.date.today().isoformat()
    if fmt == "csv":
        body, mimetype = csv_bytes(headings, rows), CSV_TYPE
    else:
        body, mimetype = xlsx_bytes(title, headings, rows), XLSX_TYPE
    response = Response(body, mimetype=mimetype)
    filename = f"{module.id}-{stamp}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
