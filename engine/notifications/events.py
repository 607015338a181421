"""Raising an event: a notification per recipient and an outbox row per channel, in the
transaction of the change, so the event exists if and only if the change does.

An event has a key (`task:42`, `overdue:contract:<id>:2026-12-01`...): the same key for the
same user is one notification however often it is raised, and each channel sends it once.
Nobody is told of what they did themselves, nor of a record they may not read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.accounts import actor_of
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.models import User, utcnow
from engine.models_notifications import Notification, NotificationChannel, NotificationSend
from engine.notifications.preferences import preferences_of
from engine.notifications.vocabulary import EVENTS
from engine.workflow.approvals import can_read


def reader(session: Session, name: str) -> Actor | None:
    """The engine's view of an active user reading, grants included; None when not active."""
    user = session.scalar(
        select(User)
        .where(User.name == name, User.active.is_(True))
        .options(selectinload(User.grants))
    )
    return actor_of(user) if user is not None else None


def enabled_channels(session: Session) -> set[str]:
    rows = session.scalars(select(NotificationChannel).where(NotificationChannel.enabled))
    return {row.channel for row in rows}


def _may_read(session: Session, who: Actor, module: str | None, record_id: str | None) -> bool:
    if module is None or record_id is None:
        return True
    catalog = load_catalog(session)
    found = catalog.modules.get(module)
    return found is not None and can_read(session, catalog, found, record_id, who)


def notify(
    session: Session,
    event: str,
    recipients: Iterable[str],
    *,
    key: str,
    module: str | None = None,
    record_id: str | None = None,
    actor: str | None = None,
    params: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> list[Notification]:
    """Tell each recipient of `event` once per key; returns the notifications written now."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    at = at or utcnow()
    names = sorted({n for n in recipients if n and n != actor})
    if not names:
        return []
    told = set(
        session.scalars(
            select(Notification.user_name).where(
                Notification.key == key, Notification.user_name.in_(names)
            )
        )
    )
    channels = enabled_channels(session)
    written = []
    for name in names:
        who = reader(session, name)
        if name in told or who is None or not _may_read(session, who, module, record_id):
            continue
        wanted = preferences_of(session, who.user_id)
        if event in wanted.muted:
            continue
        note = Notification(
            user_name=name,
            event=event,
            key=key[:255],
            module=module,
            record_id=record_id,
            actor=actor,
            params=dict(params or {}),
            created_at=at,
        )
        session.add(note)
        session.flush()
        _queue_sends(session, note, sorted(channels & set(wanted.channels)), wanted.digest)
        written.append(note)
    session.flush()
    return written


def _queue_sends(session: Session, note: Notification, channels: list[str], digest: bool) -> None:
    """One outbox row per channel; a digest user's e-mail waits for the daily digest."""
    for channel in channels:
        session.add(
            NotificationSend(
                notification_id=note.id,
                channel=channel,
                status="digest" if channel == "email" and digest else "pending",
                attempts=0,
                next_attempt_at=note.created_at,
            )
        )
