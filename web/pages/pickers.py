"""Pickers: the options of link and user fields, searched as the user types.

A link picker offers the records of the linked module that the user may read (the engine
applies their scope), found by the module's search fields and number; a user picker offers
active users by name. The same functions fill list filters and form fields; the options
route answers htmx with `<option>` elements only.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy.orm import Session

from engine import accounts
from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import Field, Module
from engine.errors import NotFound
from engine.records import ListQuery, get_record, list_records
from web.pages.context import actor, db
from web.pages.formatting import record_title

MAX_OPTIONS = 30
MAX_QUERY = 100

bp = Blueprint("pickers", __name__)


def _label(module: Module, record: object) -> str:
    title = record_title(module, record)
    number = getattr(record, "number", None)
    return f"{number} · {title}" if number and number != title else title


def link_options(
    session: Session,
    f: Field,
    who: Actor,
    q: str | None = None,
    selected: str | None = None,
    *,
    browse: bool = True,
) -> list[tuple[str, str]]:
    """(record id, label) of linked records `who` may read, matching `q`; `selected` first.

    At most MAX_OPTIONS records are read; with `browse` false only the selected one (a list
    filter renders its choice and searches the rest as the user types).
    """
    catalog = load_catalog(session)
    target = catalog.modules.get(f.ref or "")
    if target is None or not abilities(who, target).read:
        return []
    if not browse:
        return _selected_option(session, target, who, selected) if selected else []
    query = ListQuery(
        search=(q or None),
        sort=tuple(target.ui.list.sort) or ("$number",),
        per_page=MAX_OPTIONS,
        with_totals=False,
        with_children=False,
    )
    page = list_records(session, target.id, who, query)
    options = [(r.id, _label(target, r)) for r in page.items]
    if selected and selected not in {value for value, _ in options}:
        options[:0] = _selected_option(session, target, who, selected)
    return options


def _selected_option(
    session: Session, target: Module, who: Actor, selected: str
) -> list[tuple[str, str]]:
    try:
        record = get_record(session, target.id, selected, who)
    except NotFound:
        return [(selected, selected)]
    return [(record.id, _label(target, record))]


def user_options(
    session: Session, q: str | None = None, selected: str | None = None
) -> list[tuple[str, str]]:
    """(user name, label) of active users matching `q`; `selected` first."""
    needle = (q or "").strip().lower()
    options = []
    for name, display_name in accounts.user_labels(session, include_inactive=False):
        label = f"{display_name} ({name})" if display_name else name
        if needle and needle not in label.lower():
            continue
        options.append((name, label))
    if selected and selected not in {value for value, _ in options}:
        options.insert(0, (selected, selected))
    return options[: MAX_OPTIONS + 1]


def column_options(
    session: Session, table: Field, who: Actor, rows: list[dict[str, Any]]
) -> dict[str, list[tuple[str, str]]]:
    """For each link column of a child table: the records offered in every row's picker,
    the ones its rows already name first (a row shows its stock card by title, not by id)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for column in table.children:
        if not column.kind_type.links or column.computed:
            continue
        offered = link_options(session, column, who)
        known = {value for value, _label in offered}
        for value in {str(r.get(column.name)) for r in rows if r.get(column.name)} - known:
            offered = link_options(session, column, who, selected=value, browse=False) + offered
        found[column.name] = offered
    return found


def picker_field(module: Module, name: str) -> Field | None:
    """A link or user field of the module, or of one of its child tables (`items.worker`)."""
    table, _, column = name.partition(".")
    f = module.field(table)
    if f is not None and column:
        f = f.child_map.get(column) if f.kind_type.rows else None
    return f if f is not None and f.kind_type.picked else None


@bp.get("/m/<module_id>/options/<name>")
@login_required
def options(module_id: str, name: str) -> ResponseReturnValue:
    """`<option>` elements for a picker, for the text typed so far."""
    who = actor()
    typed = request.args.get("q") or next(
        (v for k, v in request.args.items() if k.startswith("_q.")), ""
    )
    q = typed.strip()[:MAX_QUERY]
    selected = request.args.get("selected") or next(
        (v for k, v in request.args.items() if k.startswith(("d.", "filter[")) and v), None
    )
    with db() as session:
        module = load_catalog(session).module(module_id)
        answer = abilities(who, module)
        answer.require_read()
        f = picker_field(module, name)
        if f is None or name.partition(".")[0] not in answer.visible:
            abort(404)
        if f.kind_type.links:
            found = link_options(session, f, who, q, selected)
        else:
            found = user_options(session, q, selected)
    return render_template(
        "records/_options.html",
        options=found,
        selected=selected,
        blank=request.args.get("blank") != "0",
        all=request.args.get("all") == "1",
    )
