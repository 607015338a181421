"""Delivery: sending the due rows of the notification outbox, and the log an administrator reads.

`deliver_due` runs in `formwork worker` and `formwork tick`, never inside a user's request.
Each round claims due rows in one short transaction (engine/notifications/claims.py: the
checks made again at send time, quiet hours, the lease), sends each with no transaction open,
and writes each outcome in another: a slow SMTP server holds no lock and blocks nobody.
Every attempt is logged (`notification_attempts`); a failed one is tried again after BACKOFF,
doubling up to MAX_BACKOFF, and given up after MAX_ATTEMPTS: the row is "failed" with its
last error, which the administrator sees in the log (`delivery_log`) and may send again
(`retry_send`). The recipient is never told of a failure.

A send goes out once: a run that dies between its claim and its send leaves the row leased
until the lease runs out, and the next run sends it then. Reading the in-app notification
does not cancel its e-mail or chat message.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.errors import NotFound, Problem, ValidationFailed
from engine.models import aware, utcnow
from engine.models_notifications import (
    Notification,
    NotificationAttempt,
    NotificationChannel,
    NotificationSend,
)
from engine.notifications.claims import LEASE, Claimed, Renderer, claim_due
from engine.notifications.outgoing import Outgoing, Sender, SendFailed
from engine.notifications.vocabulary import CHANNELS

if TYPE_CHECKING:
    from engine.notifications.settings import NotificationSettings

log = logging.getLogger(__name__)

BACKOFF = 60  # seconds before the first retry; doubles after each failure
MAX_BACKOFF = 6 * 3600
MAX_ATTEMPTS = 8
STATUSES = ("pending", "sending", "sent", "failed", "dropped", "digest")
RETRYABLE = ("failed", "dropped")
PER_PAGE = 25


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: BACKOFF, doubling, at most MAX_BACKOFF."""
    return dt.timedelta(seconds=min(MAX_BACKOFF, BACKOFF * 2 ** max(0, attempts - 1)))


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)  # outbox ids
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # given up
    dropped: list[int] = field(default_factory=list)  # no longer to be sent, with the reason
    deferred: list[int] = field(default_factory=list)  # quiet hours: due when they end

    @property
    def looked_at(self) -> int:
        return sum(map(len, (self.sent, self.retrying, self.failed, self.dropped, self.deferred)))


def configured(settings: NotificationSettings | None) -> NotificationSettings:
    """The settings given, else those of the environment (FORMWORK_BASE_URL, ..._TIMEZONE)."""
    if settings is not None:
        return settings
    from engine.notifications.settings import settings_from_env

    return settings_from_env()


def default_senders(
    factory: sessionmaker[Session], settings: NotificationSettings
) -> dict[str, Sender]:
    """A sender per channel the administrator turned on: SMTP from the environment, the
    robots from their set-up in notification_channels."""
    from engine.notifications.email import email_sender
    from engine.notifications.robots import robot_sender

    with transaction(factory, write=False) as session:
        setups = {
            row.channel: dict(row.settings or {})
            for row in session.scalars(
                select(NotificationChannel).where(NotificationChannel.enabled)
            )
        }
    senders: dict[str, Sender] = {}
    for channel, setup in setups.items():
        if channel == "email":
            if settings.email_on:
                senders[channel] = email_sender(settings)
        else:
            senders[channel] = robot_sender(channel, setup)
    return senders


def default_renderer() -> Renderer:
    from engine.notifications.messages import render

    return render


def attempt(sender: Sender | None, claimed: Claimed) -> tuple[str | None, int]:
    """Send one claimed message: the error (None when it went) and the milliseconds taken."""
    unworded = claimed.error or "the message could not be worded"
    what = f"notification send {claimed.send_id}"
    return send_once(sender, claimed.message, unworded, channel=claimed.channel, what=what)


def send_once(
    sender: Sender | None,
    message: Outgoing | None,
    unworded: str,
    *,
    channel: str,
    what: str,
) -> tuple[str | None, int]:
    """Send one worded message (a single send or a digest): the error, None when it went,
    and the milliseconds taken. `unworded` says why there is none."""
    if message is None:
        return unworded, 0
    if sender is None:
        return f"no sender is set up for {channel}", 0
    started = time.monotonic()
    try:
        sender(message)
        error = None
    except SendFailed as failure:
        error = str(failure) or type(failure).__name__
    except Exception as failure:  # a sender's own bug: logged, retried, never the worker's end
        log.exception("%s: the %s sender failed", what, channel)
        error = f"{type(failure).__name__}: {failure}"
    return error, int((time.monotonic() - started) * 1000)


def settle(
    session: Session,
    send: NotificationSend,
    error: str | None,
    *,
    now: dt.datetime,
    took: int,
    attempts: int,
    waiting: str = "pending",
) -> str:
    """Log one attempt and move the row on: "sent", "failed" for good, or `waiting` again
    (a digest's e-mails wait as "digest")."""
    number = attempts + 1
    session.add(
        NotificationAttempt(
            send_id=send.id, attempt=number, at=now, ok=error is None, duration_ms=took, error=error
        )
    )
    send.attempts, send.claimed_until = number, None
    if error is None:
        send.status, send.sent_at, send.last_error = "sent", now, None
    elif number >= MAX_ATTEMPTS:
        send.status, send.last_error = "failed", error[:2000]
    else:
        send.status, send.last_error = waiting, error[:2000]
        send.next_attempt_at = now + backoff(number)
    return send.status


def holds(send: NotificationSend, lease: dt.datetime) -> bool:
    """Whether the row is still leased by the run that claimed it with `lease`."""
    held = send.claimed_until
    return send.status == "sending" and held is not None and aware(held) == lease


def _record(
    factory: sessionmaker[Session],
    claimed: Claimed,
    error: str | None,
    now: dt.datetime,
    took: int,
    report: DeliveryReport,
) -> None:
    with transaction(factory) as session:
        send = session.get(NotificationSend, claimed.send_id)
        if send is None:  # pragma: no cover - deleted with its notification meanwhile
            return
        if not holds(send, claimed.lease):
            # the lease ran out and another run took the row over: log, leave its state
            log.warning("notification send %s outlived its lease", claimed.send_id)
            session.add(
                NotificationAttempt(
                    send_id=send.id, attempt=claimed.attempts + 1, at=now, ok=error is None,
                    duration_ms=took, error=error or "sent after the lease ran out",
                )
            )  # fmt: skip
            return
        status = settle(session, send, error, now=now, took=took, attempts=claimed.attempts)
    {"sent": report.sent, "failed": report.failed}.get(status, report.retrying).append(send.id)


def deliver_due(
    factory: sessionmaker[Session],
    *,
    limit: int = 100,
    now: dt.datetime | None = None,
    senders: Mapping[str, Sender] | None = None,
    settings: NotificationSettings | None = None,
    render: Renderer | None = None,
) -> DeliveryReport:
    """Send up to `limit` due rows of the outbox, each once; log each attempt; retry later."""
    now = (now or utcnow()).astimezone(dt.UTC)
    settings = configured(settings)
    found = claim_due(
        factory, now=now, limit=limit, render=render or default_renderer(), settings=settings
    )
    report = DeliveryReport(dropped=found.dropped, deferred=found.deferred)
    if senders is None and found.claimed:
        senders = default_senders(factory, settings)
    senders = senders or {}
    started = time.monotonic()
    for number, claimed in enumerate(found.claimed):
        if time.monotonic() - started > LEASE.total_seconds() / 2:  # slow servers: let go
            release(factory, found.claimed[number:])  # of the rest while the lease holds
            break
        error, took = attempt(senders.get(claimed.channel), claimed)
        _record(factory, claimed, error, now, took, report)
    return report


def release(factory: sessionmaker[Session], claimed: list[Claimed]) -> None:
    """Give back rows this run claimed but will not send: due again at once, no attempt."""
    with transaction(factory) as session:
        for one in claimed:
            send = session.get(NotificationSend, one.send_id)
            if send is not None and holds(send, one.lease):
                send.status, send.claimed_until = "pending", None


# -- the log an administrator reads -------------------------------------------------------


@dataclass(frozen=True)
class LogRow:
    send_id: int
    at: dt.datetime  # the latest attempt, else when the event happened
    channel: str
    recipient: str
    event: str
    module: str | None
    record_id: str | None
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime | None  # while it waits for a retry or the end of quiet hours


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filters(status: str | None, channel: str | None) -> list[ColumnElement[bool]]:
    problems = []
    if status and status not in STATUSES:
        problems.append(
            Problem(
                "/status", "unknown_send_status", {"value": status, "values": ", ".join(STATUSES)}
            )
        )
    if channel and channel not in CHANNELS:
        problems.append(
            Problem(
                "/channel", "unknown_channel", {"value": channel, "values": ", ".join(CHANNELS)}
            )
        )
    if problems:
        raise ValidationFailed(problems)
    conditions: list[ColumnElement[bool]] = []
    if status:
        conditions.append(NotificationSend.status == status)
    if channel:
        conditions.append(NotificationSend.channel == channel)
    return conditions


def delivery_log(
    session: Session,
    *,
    page: int = 1,
    status: str | None = None,
    channel: str | None = None,
    per_page: int = PER_PAGE,
) -> LogPage:
    """One page of sends, newest first (a page past the last is the last): three statements."""
    conditions = _filters(status, channel)
    total = (
        session.scalar(select(func.count()).select_from(NotificationSend).where(*conditions)) or 0
    )
    page = min(max(1, page), max(1, -(-total // per_page)))
    found = [
        (row[0], row[1])
        for row in session.execute(
            select(NotificationSend, Notification)
            .join(Notification, Notification.id == NotificationSend.notification_id)
            .where(*conditions)
            .order_by(NotificationSend.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    ]
    latest = {
        row[0]: row[1]
        for row in session.execute(
            select(NotificationAttempt.send_id, func.max(NotificationAttempt.at))
            .where(NotificationAttempt.send_id.in_([send.id for send, _ in found]))
            .group_by(NotificationAttempt.send_id)
        )
    }
    rows = [
        LogRow(
            send.id, aware(latest.get(send.id) or note.created_at), send.channel, note.user_name,
            note.event, note.module, note.record_id, send.status, send.attempts, send.last_error,
            aware(send.next_attempt_at) if send.status == "pending" else None,
        )
        for send, note in found
    ]  # fmt: skip
    return LogPage(rows, total, page, per_page)


def retry_send(
    session: Session, send_id: int, *, now: dt.datetime | None = None
) -> NotificationSend:
    """Send a failed (or dropped) one again: waiting, due now, its attempts kept, so a row
    given up gets one more try. One waiting, being sent or sent is left as it is."""
    send = session.get(NotificationSend, send_id) if 1 <= send_id < 2**63 else None
    if send is None:
        raise NotFound(code="unknown_id")
    if send.status in RETRYABLE:
        send.status = "pending"
        send.next_attempt_at = (now or utcnow()).astimezone(dt.UTC)
        send.claimed_until = None
        session.flush()
    return send
