"""The home page: sign-in for visitors; the user's dashboards, modules, inbox and recent records.

`/` is also where a fresh install says what to do when the database was never migrated.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.catalog import Catalog, load_catalog
from engine.dashboards import dashboards_for, run_dashboard
from engine.migrate import current_revision, head_revision
from engine.records import ListQuery, list_records
from engine.workflow import inbox
from web.pages.context import actor, db, readable_modules, request_tasks
from web.pages.dashboard_cards import card_views, firm_today

RECENT = 8
logger = logging.getLogger(__name__)

bp = Blueprint("home", __name__)


def _database_ready() -> bool:
    from flask import current_app

    try:
        return current_revision(current_app.extensions["formwork"].engine) == head_revision()
    except DBAPIError:
        return False


@bp.get("/")
def index() -> ResponseReturnValue:
    """Visitors see the sign-in form; users their modules, inbox count and recent records."""
    if not _database_ready():
        return render_template("setup.html"), 503
    if not current_user.is_authenticated:
        from web.auth import render_sign_in

        return render_sign_in()
    who = actor()
    with db() as session:
        catalog = load_catalog(session)
        modules = readable_modules(catalog, who)
        cards: list[dict[str, Any]] = []
        recent: list[tuple[Any, Any]] = []
        query = ListQuery(sort=("-$updated_at",), per_page=RECENT, with_children=False)
        for module in modules:
            count: int | None = None
            try:
                with session.begin_nested():
                    page = list_records(session, module.id, who, query)
                count = page.total
                recent.extend((module, record) for record in page.items)
            except InvalidRequestError:  # an engine list bug must not take the home page down
                logger.exception("listing %s failed", module.id)
            cards.append(
                {
                    "module": module,
                    "count": count,
                    "may_create": abilities(who, module).create,
                }
            )
        box = inbox(session, who, tasks=request_tasks(session))  # the nav reads the same
        boards = _dashboards(session, catalog)
    recent.sort(key=lambda pair: pair[1].updated_at, reverse=True)
    return render_template(
        "home/index.html",
        cards=cards,
        recent=recent[:RECENT],
        counts=box.counts,
        waiting=box.items[:5],
        catalog=catalog,
        dashboards=boards,
    )


def _dashboards(session: Session, catalog: Catalog) -> dict[str, Any]:
    """The user's dashboards (tabs) and the chosen one's cards, computed in SQL for this user."""
    who = actor()
    boards = dashboards_for(catalog, who)
    chosen = next((b for b in boards if b.id == request.args.get("dashboard")), None)
    chosen = chosen or (boards[0] if boards else None)
    cards: list[Any] = []
    if chosen is not None:
        figures = run_dashboard(session, catalog, chosen, who, firm_today())
        cards = card_views(chosen.id, figures, catalog)
    return {"tabs": boards, "chosen": chosen, "cards": cards}
