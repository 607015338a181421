"""The delivery log as the administrator reads it: every send of every channel, newest first.

Stand-in for `delivery_log` and `retry_send` of engine/notifications/delivery.py until that
lands; the channels page imports theirs first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import utcnow
from engine.models_notifications import Notification, NotificationSend

PER_PAGE = 25
STATUSES = ("pending", "sending", "sent", "failed", "dropped", "digest")


@dataclass(frozen=True)
class LogRow:
    send_id: int
    at: dt.datetime
    channel: str
    recipient: str
    event: str
    module: str | None
    record_id: str | None
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime | None


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def delivery_log(
    session: Session,
    *,
    page: int = 1,
    status: str | None = None,
    channel: str | None = None,
    per_page: int = PER_PAGE,
) -> LogPage:
    """One page of sends, filtered by status and channel."""
    conditions = []
    if status:
        conditions.append(NotificationSend.status == status)
    if channel:
        conditions.append(NotificationSend.channel == channel)
    total = int(
        session.scalar(select(func.count()).select_from(NotificationSend).where(*conditions)) or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    found = session.execute(
        select(NotificationSend, Notification)
        .join(Notification, Notification.id == NotificationSend.notification_id)
        .where(*conditions)
        .order_by(NotificationSend.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [
        LogRow(
            send_id=send.id,
            at=send.sent_at or send.next_attempt_at,
            channel=send.channel,
            recipient=note.user_name,
            event=note.event,
            module=note.module,
            record_id=note.record_id,
            status=send.status,
            attempts=send.attempts,
            last_error=send.last_error,
            next_attempt_at=send.next_attempt_at if send.status == "pending" else None,
        )
        for send, note in found
    ]
    return LogPage(rows, total, page, per_page)


def retry_send(session: Session, send_id: int) -> None:
    """Send a failed one again with the next round; NotFound for any other."""
    done = session.execute(
        update(NotificationSend)
        .where(NotificationSend.id == send_id, NotificationSend.status == "failed")
        .values(status="pending", next_attempt_at=utcnow(), claimed_until=None)
    )
    if not getattr(done, "rowcount", 0):
        raise NotFound(f"no failed send {send_id}")
