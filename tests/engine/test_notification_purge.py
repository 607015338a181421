"""Old finished sends and long-read notifications are forgotten; nothing waiting, nothing
unread and nothing recent is touched."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models_notifications import Notification, NotificationAttempt, NotificationSend
from engine.notifications.purge import purge

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def note(session: Session, key: str, *, read: dt.datetime | None, sends: list[tuple[str, int]]):
    made = Notification(
        user_name="zhao", event="task", key=key, params={}, created_at=NOW - 400 * DAY, read_at=read
    )
    session.add(made)
    session.flush()
    for status, age in sends:
        send = NotificationSend(
            notification_id=made.id,
            channel="email" if not made.id % 2 else "dingtalk",
            status=status,
            attempts=1,
            next_attempt_at=NOW - age * DAY,
        )
        session.add(send)
        session.flush()
        session.add(NotificationAttempt(send_id=send.id, attempt=1, at=NOW - age * DAY))
    return made


def test_what_is_done_and_old_goes_and_the_rest_stays(session: Session) -> None:
    note(session, "old-read", read=NOW - 200 * DAY, sends=[("sent", 199)])
    note(session, "old-unread", read=None, sends=[("failed", 100)])
    note(session, "read-recently", read=NOW - 10 * DAY, sends=[("dropped", 40)])
    note(session, "old-read-waiting", read=NOW - 200 * DAY, sends=[("pending", 200)])
    note(session, "held-for-digest", read=None, sends=[("digest", 90)])
    note(session, "sent-lately", read=None, sends=[("sent", 3)])
    assert purge(session, now=NOW) == 7  # 3 sends, their 3 attempts, 1 notification
    kept = dict(session.execute(select(Notification.key, Notification.id)).all())
    assert sorted(kept) == [
        "held-for-digest",
        "old-read-waiting",
        "old-unread",
        "read-recently",
        "sent-lately",
    ]
    statuses = sorted(session.scalars(select(NotificationSend.status)))
    assert statuses == ["digest", "pending", "sent"]
    assert purge(session, now=NOW) == 0
