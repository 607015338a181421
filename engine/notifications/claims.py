"""Claiming due sends: the short transaction that decides, for each due row of the outbox,
whether it goes out now, later (quiet hours) or not at all, and leases the ones that go.

Everything that can change between the event and the send is looked at again here: the
recipient is still active and may still read the record, the inbox item a "task" names
(its key, `task:<id>`) is still open, a reminder's record still waits with the due moment it
named, the administrator still has the channel on, the recipient still wants it (and, for e-mail, has an address). A row that fails
one of these is dropped with the reason, never sent. A row in the recipient's quiet hours
waits until they end, no attempt counted. The rest are worded (`messages.render`) and
leased: status "sending", `claimed_until` a LEASE ahead. A worker that dies before it marks
the row leaves it leased; when the lease runs out another run takes it over.

Two workers never claim one row: on PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED`,
and on both backends the lease is taken by an UPDATE that only matches a row still due,
its changed-row count telling the winner.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.db import is_sqlite, transaction
from engine.models import Task
from engine.models_notifications import Notification, NotificationSend
from engine.notifications.events import enabled_channels, may_read, reader
from engine.notifications.outgoing import Outgoing
from engine.notifications.preferences import Preferences, preferences_of
from engine.notifications.reminders import reminder_stands

if TYPE_CHECKING:
    from engine.notifications.settings import NotificationSettings

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)  # a claimed row is left alone this long by other workers


class Renderer(Protocol):
    """Words one notification for one channel (engine/notifications/messages.py `render`)."""

    def __call__(
        self,
        note: Notification,
        *,
        channel: str,
        send_id: int,
        prefs: Preferences,
        settings: NotificationSettings,
    ) -> Outgoing: ...


@dataclass(frozen=True)
class Claimed:
    """A leased row: what to send, or why it could not even be worded (`error`)."""

    send_id: int
    channel: str
    lease: dt.datetime  # the row's claimed_until: this run still holds it while it matches
    attempts: int  # made before this one
    message: Outgoing | None = None
    error: str | None = None


@dataclass
class ClaimRound:
    claimed: list[Claimed] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)  # outbox ids
    deferred: list[int] = field(default_factory=list)  # in quiet hours, due when they end


def zone_of(settings: NotificationSettings | None) -> ZoneInfo:
    """The firm's time zone (FORMWORK_TIMEZONE), where quiet hours and digest hours are read."""
    return settings.zone if settings is not None else ZoneInfo("UTC")


def quiet_until(prefs: Preferences, now: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
    """When the recipient's quiet hours end, if `now` is inside them; else None."""
    local = now.astimezone(zone)
    if not prefs.quiet_at(local.time().replace(tzinfo=None)) or not prefs.quiet_to:
        return None
    end = dt.time.fromisoformat(prefs.quiet_to)
    day = (
        local.date() if local.time().replace(tzinfo=None) < end else local.date() + dt.timedelta(1)
    )
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


def still_due(now: dt.datetime) -> Any:
    """A row waiting and due, or leased by a run whose lease has run out (it died)."""
    return or_(
        and_(NotificationSend.status == "pending", NotificationSend.next_attempt_at <= now),
        and_(NotificationSend.status == "sending", NotificationSend.claimed_until <= now),
    )


def task_closed(session: Session, note: Notification) -> bool:
    """Whether the inbox item a "task" notification tells of was closed since (the record
    moved on, the vote was cast or handed on, the approver lost the role): "waiting for you"
    would no longer be true."""
    number = note.key.removeprefix("task:") if note.event == "task" else ""
    if not number.isdigit():
        return False
    item = session.get(Task, int(number))
    return item is not None and item.done_at is not None


def why_not(
    session: Session, note: Notification, channel: str, channels: set[str]
) -> tuple[str | None, Preferences]:
    """Why the send may not go out now (a sentence for the log), or None; and the choices."""
    who = reader(session, note.user_name)
    if who is None:
        return f"{note.user_name} is no longer an active user", Preferences()
    prefs = preferences_of(session, who.user_id)
    if not may_read(session, who, note.module, note.record_id):
        return f"{note.user_name} may no longer read {note.module} {note.record_id}", prefs
    if task_closed(session, note):
        return f"the task on {note.module} {note.record_id} is no longer open", prefs
    if not reminder_stands(session, note):
        return f"{note.module} {note.record_id} is no longer due at that time", prefs
    if channel not in channels:
        return f"the administrator turned {channel} off", prefs
    if channel not in prefs.channels:
        return f"{note.user_name} no longer wants {channel}", prefs
    if channel == "email" and not prefs.email:
        return f"{note.user_name} has no e-mail address", prefs
    return None, prefs


def _take(session: Session, send_id: int, now: dt.datetime, **values: Any) -> bool:
    """Move a row on only if no other run did meanwhile: True when this run won it."""
    result = session.execute(
        update(NotificationSend)
        .where(NotificationSend.id == send_id, still_due(now))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _due_rows(session: Session, now: dt.datetime, limit: int) -> list[NotificationSend]:
    statement = (
        select(NotificationSend)
        .where(still_due(now))
        .order_by(NotificationSend.next_attempt_at, NotificationSend.id)
        .limit(limit)
    )
    if not is_sqlite(session):
        statement = statement.with_for_update(skip_locked=True)
    return list(session.scalars(statement))


def claim_due(
    factory: sessionmaker[Session],
    *,
    now: dt.datetime,
    limit: int,
    render: Renderer,
    settings: NotificationSettings,
) -> ClaimRound:
    """Look at up to `limit` due rows in one short transaction: drop, defer or lease each."""
    found = ClaimRound()
    zone = zone_of(settings)
    with transaction(factory, write=False) as session:  # most rounds find nothing: no lock
        if session.scalar(select(NotificationSend.id).where(still_due(now)).limit(1)) is None:
            return found
    with transaction(factory) as session:
        channels = enabled_channels(session)
        for row in _due_rows(session, now, limit):
            send_id, channel, attempts = row.id, row.channel, row.attempts
            note = session.get(Notification, row.notification_id)
            reason, prefs = (
                why_not(session, note, channel, channels)
                if note is not None
                else ("the notification is gone", Preferences())
            )
            if reason is not None:
                if _take(session, send_id, now, status="dropped", last_error=reason):
                    found.dropped.append(send_id)
                continue
            later = quiet_until(prefs, now, zone)
            if later is not None:
                if _take(session, send_id, now, status="pending", next_attempt_at=later):
                    found.deferred.append(send_id)
                continue
            lease = now + LEASE
            if not _take(session, send_id, now, status="sending", claimed_until=lease):
                continue
            assert note is not None  # a missing one was dropped above
            found.claimed.append(
                _worded(render, note, send_id, channel, lease, attempts, prefs, settings)
            )
    return found


def _worded(
    render: Renderer,
    note: Notification,
    send_id: int,
    channel: str,
    lease: dt.datetime,
    attempts: int,
    prefs: Preferences,
    settings: NotificationSettings,
) -> Claimed:
    try:
        message = render(note, channel=channel, send_id=send_id, prefs=prefs, settings=settings)
    except Exception as error:  # logged and retried like a failed send, never lost
        log.exception("notification send %s could not be worded", send_id)
        return Claimed(send_id, channel, lease, attempts, error=f"{type(error).__name__}: {error}")
    return Claimed(send_id, channel, lease, attempts, message=message)
