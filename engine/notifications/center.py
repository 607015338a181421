"""The in-app list: a user's notifications, newest first, the unread count and marking read.

A notification about a record the user may no longer read is left out (and not counted):
what they were told before they lost it stays untold from then on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.models import utcnow
from engine.models_notifications import Notification

PAGE = 20


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    unread: int
    page: int
    more: bool


def _readable(session: Session, who: Actor, notes: list[Notification]) -> list[Notification]:
    """The notes `who` may still read: one statement per module the notes are about."""
    wanted: dict[str, set[str]] = {}
    for note in notes:
        if note.module is not None and note.record_id is not None:
            wanted.setdefault(note.module, set()).add(note.record_id)
    if not wanted:  # the bell of a user with nothing unread: no catalog to read
        return notes
    catalog = load_catalog(session)
    readable: set[tuple[str, str]] = set()
    for module_id, ids in wanted.items():
        module = catalog.modules.get(module_id)
        may = abilities(who, module) if module is not None else None
        if module is None or may is None or not may.read:
            continue
        table = catalog.tables[module_id].main
        found = session.scalars(select(table.c.id).where(table.c.id.in_(ids), may.scope(table)))
        readable |= {(module_id, str(record_id)) for record_id in found}
    return [
        note
        for note in notes
        if note.module is None
        or note.record_id is None
        or (note.module, note.record_id) in readable
    ]


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


def open_notification(
    session: Session, who: Actor, note_id: int, *, at: dt.datetime | None = None
) -> Notification | None:
    """The user's notification `note_id`, marked read; None when not theirs or no longer
    readable (the record is gone or out of their reach), so nothing about it is revealed."""
    note = session.get(Notification, note_id)
    if note is None or note.user_name != who.name or not _readable(session, who, [note]):
        return None
    if note.read_at is None:
        note.read_at = at or utcnow()
        session.flush()
    return note
