"""Forgetting what is done: finished sends and their attempts after 30 days, and read
notifications after 180 (the in-app list is a recent history, not an archive).

Run by `formwork tick` and `formwork worker` beside the webhooks' purge. Pending, claimed and
digest-held sends are never touched, nor an unread notification.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from engine.models import utcnow
from engine.models_notifications import Notification, NotificationAttempt, NotificationSend

KEEP_SENDS = dt.timedelta(days=30)
KEEP_READ = dt.timedelta(days=180)
FINISHED = ("sent", "failed", "dropped")


def purge(session: Session, *, now: dt.datetime | None = None) -> int:
    """Delete finished sends older than KEEP_SENDS (with their log) and notifications read
    before KEEP_READ that have nothing left to send; returns how many rows went."""
    now = now or utcnow()
    old_sends = select(NotificationSend.id).where(
        NotificationSend.status.in_(FINISHED),
        NotificationSend.next_attempt_at < now - KEEP_SENDS,
    )
    gone = _count(
        session.execute(
            delete(NotificationAttempt).where(NotificationAttempt.send_id.in_(old_sends))
        )
    )
    gone += _count(
        session.execute(delete(NotificationSend).where(NotificationSend.id.in_(old_sends)))
    )
    waiting = select(NotificationSend.notification_id)
    gone += _count(
        session.execute(
            delete(Notification).where(
                Notification.read_at < now - KEEP_READ, Notification.id.not_in(waiting)
            )
        )
    )
    return gone


def _count(result: Any) -> int:
    return int(cast("CursorResult[Any]", result).rowcount or 0)  # a DML result
