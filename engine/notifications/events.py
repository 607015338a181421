"""Raising an event: a notification per recipient and an outbox row per channel, in the
transaction of the change, so the event exists if and only if the change does.

An event has a key (`task:42`, `overdue:contract:<id>:2026-12-01`...): the same key for the
same user is one notification however often it is raised, and each channel sends it once.
Nobody is told of what they did themselves, nor of a record they may not read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.actor import Actor, actor_of
from engine.catalog import load_catalog
from engine.models import User, utcnow
from engine.models_notifications import Notification, NotificationChannel, NotificationSend
from engine.notifications.preferences import Preferences, preferences_for
from engine.notifications.vocabulary import EVENTS
from engine.workflow.approvals import can_read


def reader(session: Session, name: str) -> Actor | None:
    """The engine's view of an active user reading, grants included; None when not active."""
    return readers(session, [name]).get(name)


def readers(session: Session, names: Iterable[str]) -> dict[str, Actor]:
    """Active users by name as the engine sees them reading, grants included, in 3 queries."""
    users = session.scalars(
        select(User)
        .where(User.name.in_(sorted(set(names))), User.active.is_(True))
        .options(selectinload(User.grants))
    )
    return {user.name: actor_of(user) for user in users}


def enabled_channels(session: Session) -> set[str]:
    rows = session.scalars(select(NotificationChannel).where(NotificationChannel.enabled))
    return {row.channel for row in rows}


def may_read(session: Session, who: Actor, module: str | None, record_id: str | None) -> bool:
    """Whether `who` may read the record a notification is about (one about none: yes)."""
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
    keys: Mapping[str, str] | None = None,
    module: str | None = None,
    record_id: str | None = None,
    actor: str | None = None,
    params: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> list[Notification]:
    """Tell each recipient of `event` once per key (`keys` gives some their own, such as
    their inbox item's); returns the notifications written now. A handful of queries
    whatever the number of recipients, and one per recipient to check they may read."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    names = sorted({n for n in recipients if n and n != actor})
    key_of = {name: ((keys or {}).get(name) or key)[:255] for name in names}
    fresh = _not_told(session, key_of)
    if not fresh:
        return []
    found = readers(session, fresh)
    who_reads = {
        n: found[n] for n in fresh if n in found and may_read(session, found[n], module, record_id)
    }
    found_prefs = preferences_for(session, [who.user_id for who in who_reads.values()])
    wanted = {n: found_prefs.get(who.user_id or 0, Preferences()) for n, who in who_reads.items()}
    notes = [
        Notification(
            user_name=name,
            event=event,
            key=key_of[name],
            module=module,
            record_id=record_id,
            actor=actor,
            params=dict(params or {}),
            created_at=at or utcnow(),
        )
        for name in who_reads
        if event not in wanted[name].muted
    ]
    if not notes:
        return []
    session.add_all(notes)
    session.flush()
    channels = enabled_channels(session)
    for note in notes:
        choice = wanted[note.user_name]
        _queue_sends(session, note, sorted(channels & set(choice.channels)), choice.digest)
    session.flush()
    return notes


def _not_told(session: Session, key_of: Mapping[str, str]) -> list[str]:
    """The recipients not yet told under their key, in one query."""
    if not key_of:
        return []
    rows = session.execute(
        select(Notification.user_name, Notification.key).where(
            Notification.key.in_(sorted(set(key_of.values()))),
            Notification.user_name.in_(sorted(key_of)),
        )
    )
    told = {(name, key) for name, key in rows}
    return [name for name, key in key_of.items() if (name, key) not in told]


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
