"""What every page view needs: a database transaction, the acting user and the navigation.

Views open a transaction through `db()`; the engine functions they call never commit. The
catalog snapshot of the first block is handed to the next one of the same request (a pack
import drops it), so a page reads `packs` once. The navigation (the modules the user may
read, the inbox count) is computed once per request, only when a template asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import g, request
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import SNAPSHOT_KEY, Catalog, load_catalog
from engine.definitions.model import Module
from engine.models import Task
from engine.workflow.inbox import inbox_counts, readable_tasks
from web.transactions import request_transaction


@contextmanager
def db() -> Iterator[Session]:
    """The request's transaction: committed when the outermost block ends, else rolled back.

    A block inside another (a template asking for the navigation while a view holds the
    session) joins the open transaction: SQLite allows one writer, and one request never
    needs two transactions at once.
    """
    open_session = g.get("formwork_session")
    if open_session is not None:
        yield open_session
        return
    with request_transaction() as session:
        g.formwork_session = session
        if g.get("formwork_catalog") is not None:  # read once a request, not once a block
            session.info[SNAPSHOT_KEY] = g.formwork_catalog
        try:
            yield session
        finally:
            g.formwork_session = None
        snapshot = session.info.get(SNAPSHOT_KEY)  # reached only when the block went well
    g.formwork_catalog = snapshot


def is_htmx() -> bool:
    """Whether htmx asked for a part of a page (HX-Request; not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def actor() -> Actor:
    return current_user.actor


def readable_modules(catalog: Catalog, who: Actor) -> list[Module]:
    """The modules `who` may read, in pack order."""
    return [m for pack in catalog.packs.values() for m in pack.modules if abilities(who, m).read]


@dataclass(frozen=True)
class Nav:
    modules: list[Module]
    inbox_count: int
    overdue_count: int


def request_tasks(session: Session) -> list[Task]:
    """The signed-in user's open tasks on records they may read, read once per request in
    one statement (the record page, the nav and the home page)."""
    cached = g.get("formwork_tasks")
    if cached is None:
        cached = g.formwork_tasks = readable_tasks(session, actor())
    return cached


def forget_tasks() -> None:
    """After a change to the user's tasks: the nav reads them again."""
    g.formwork_tasks = None


def nav() -> Nav | None:
    """The navigation of the signed-in user (computed once per request)."""
    if not current_user.is_authenticated:
        return None
    cached = g.get("formwork_nav")
    if cached is None:
        with db() as session:
            catalog = load_catalog(session)
            tasks = request_tasks(session)
            counts = inbox_counts(session, actor(), tasks=tasks, readable=True)
            cached = Nav(readable_modules(catalog, actor()), counts["total"], counts["overdue"])
        g.formwork_nav = cached
    return cached


def template_globals() -> dict[str, Any]:
    return {"nav": nav, "is_htmx": is_htmx}
