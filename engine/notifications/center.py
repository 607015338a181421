"""The in-app list: a user's notifications, newest first, the unread count and marking read.

A notification about a record the user may no longer read is left out (and not counted):
what they were told before they lost it stays untold from then on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalog import load_catalog
from engine.models import utcnow
from engine.models_notifications import Notification
from engine.workflow.approvals import can_read

PAGE = 20


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    unread: int
    page: int
    more: bool


def _readable(session: Session, who: Actor, notes: list[Notification]) -> list[Notification]:
    catalog = load_catalog(session)
    kept = []
    for note in notes:
        module = catalog.modules.get(note.module or "")
        about_no_record = note.module is None or note.record_id is None
        if about_no_record or (
            module is not None and can_read(session, catalog, module, note.record_id or "", who)
        ):
            kept.append(note)
    return kept


def unread_count(session: Session, who: Actor) -> int:
    """Unread notifications; the few about records the user may no longer read not counted."""
    rows = list(
        session.scalars(
            select(Notification)
            .where(Notification.user_name == who.name, Notification.read_at.is_(None))
            .order_by(Notification.id.desc())
            .limit(100)
        )
    )
    if len(rows) == 100:  # a long backlog: count it, no need to check each row
        total = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_name == who.name, Notification.read_at.is_(None))
        )
        return int(total or 0)
    return len(_readable(session, who, rows))


def notifications_of(
    session: Session, who: Actor, *, page: int = 1, unread_only: bool = False
) -> NotificationPage:
    statement = select(Notification).where(Notification.user_name == who.name)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    rows = list(
        session.scalars(
            statement.order_by(Notification.id.desc())
            .offset((max(page, 1) - 1) * PAGE)
            .limit(PAGE + 1)
        )
    )
    return NotificationPage(
        items=_readable(session, who, rows[:PAGE]),
        unread=unread_count(session, who),
        page=max(page, 1),
        more=len(rows) > PAGE,
    )


def mark_read(
    session: Session, who: Actor, ids: list[int] | None = None, *, at: dt.datetime | None = None
) -> int:
    """Mark the user's notifications read (`ids`, or all); returns how many changed."""
    statement = update(Notification).where(
        Notification.user_name == who.name, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    result = session.execute(statement.values(read_at=at or utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)
