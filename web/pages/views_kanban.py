"""The board of a module (its kanban view): cards in columns by state or by a choice field.

The board reads the list's query string (`q`, `sort`, `filter[...]`) and shows the list's
filter form, so a filtered board is a URL to share and the tab back to the list keeps it.
Each column is one capped page of records (web/pages/board_columns.py). Dragging a card to
another column (web/static/js/board.js, SortableJS) posts the card's own "move to" form, the
path a keyboard or a phone takes too; the answer is the board drawn again from the database
with what happened, so a refused card is back in its column (web/pages/board_moves.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.errors import ValidationFailed
from engine.records import parse_list_params
from web.pages.board_columns import (
    STATE,
    board_columns,
    kanban_of,
    key_fields,
    lanes,
    total_field,
)
from web.pages.board_moves import Outcome, move_card
from web.pages.context import actor, db, is_htmx
from web.pages.lists import engine_params, filter_widgets, list_params
from web.pages.messages import problem_text
from web.params import whole_number

BODY_ID = "board-body"

bp = Blueprint("views_kanban", __name__)


class _Refused(Exception):
    """A refused move leaving its transaction: whatever was read or locked is let go."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.message)
        self.outcome = outcome


def board_params(args: Mapping[str, Any]) -> dict[str, str]:
    """The list parameters a board keeps: all but the list's page and page size."""
    return {k: v for k, v in list_params(args).items() if k not in ("page", "per_page")}


def _board_url(module: Module, params: Mapping[str, str]) -> str:
    query = urlencode(sorted(params.items()))
    base = url_for("views_kanban.show", module_id=module.id)
    return f"{base}?{query}" if query else base


def _context(
    session: Session, module: Module, who: Actor, params: Mapping[str, str]
) -> dict[str, Any]:
    """What the board's templates draw, read in one transaction."""
    view = kanban_of(module)
    if view is None:
        abort(404)
    answer = abilities(who, module)
    answer.require_read()
    by = view.by
    hidden = by != STATE and by not in answer.visible
    summed = total_field(module, answer)
    problems: list[Any] = []
    columns: list[Any] = []
    if not hidden:
        try:
            query = parse_list_params(module, engine_params(module, params), who)
        except ValidationFailed as exc:
            problems = [problem_text(p, module) for p in exc.problems]
        else:
            columns = board_columns(session, module, who, by, query, params, summed)
    return {
        "module": module,
        "active_module": module.id,
        "by": by,
        "hidden": hidden,
        "problems": problems,
        "params": params,
        "query": urlencode(sorted(params.items())),
        "columns": columns,
        "lanes": lanes(module, by),
        "key_fields": key_fields(module, who, answer, by),
        "summed": module.field(summed) if summed else None,
        "widgets": filter_widgets(session, module, who, params),
        "may_create": answer.create,
        "board_url": _board_url(module, params),
        "body_id": BODY_ID,
    }


@bp.get("/m/<module_id>/board")
@login_required
def show(module_id: str) -> ResponseReturnValue:
    """The board; htmx requests from its filter form get only the columns."""
    who = actor()
    params = board_params(request.args)
    with db() as session:
        module = load_catalog(session).module(module_id)
        context = _context(session, module, who, params)
    status = 422 if context["problems"] else 200
    if is_htmx() and request.headers.get("HX-Target") == BODY_ID:
        return render_template("views/board_body.html", **context), status
    return render_template("views/board.html", **context), status


@bp.post("/m/<module_id>/board/move")
@login_required
def move(module_id: str) -> ResponseReturnValue:
    """Move one card (`record` at `version`) to the column `to`; the board comes back."""
    who = actor()
    record_id = request.form.get("record", "")
    key = request.form.get("to")
    version = whole_number(request.form.get("version", ""))
    if not record_id or key is None or version is None:
        abort(400)
    params = board_params(MultiDict(parse_qsl(request.form.get("query", ""))))
    try:
        with db() as session:
            module = load_catalog(session).module(module_id)
            view = kanban_of(module)
            if view is None:
                abort(404)
            outcome = move_card(session, module, view.by, record_id, version, key, who)
            if not outcome.moved:
                raise _Refused(outcome)
    except _Refused as refused:
        outcome = refused.outcome
    if outcome.moved and not is_htmx():
        flash(outcome.message, "success")
        return redirect(_board_url(module, params), code=303)
    with db() as session:
        context = _context(session, module, who, params)
    context["outcome"] = outcome
    template = "views/board_body.html" if is_htmx() else "views/board.html"
    return render_template(template, **context), outcome.status
