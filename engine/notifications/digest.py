"""The daily digest: one e-mail a day listing what a user was told, instead of one each.

`notify` writes the e-mail of a user who chose the digest as an outbox row with status
"digest". `send_digests` (run by `formwork worker` and `formwork tick`) gathers, for each
such user whose local time (the firm's time zone) has reached their digest hour and who has
not had one today, the rows still worth sending — the checks of a single send, made again —
and sends them as one e-mail; the rows become "sent" and the day is marked
(`digest_sent_on`). Nothing to send, nothing sent. Quiet hours do not hold the digest back:
its hour is the user's own choice.

The day is taken by an UPDATE that only matches a user not yet served today, so two workers
never send one user two digests. A failed digest is tried again after the backoff of single
sends (the day given back), and given up after as many attempts. A worker that dies after
taking the day leaves the rows leased; when the lease runs out they go out one by one as
ordinary sends. A user who turned the digest off has the rows waiting sent one by one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.db import is_sqlite, transaction
from engine.models import utcnow
from engine.models_notifications import (
    Notification,
    NotificationPreference,
    NotificationSend,
)
from engine.notifications.claims import LEASE, why_not, zone_of
from engine.notifications.delivery import (
    MAX_ATTEMPTS,
    configured,
    default_senders,
    send_once,
    settle,
)
from engine.notifications.events import enabled_channels, reader
from engine.notifications.outgoing import Outgoing, Sender
from engine.notifications.preferences import Preferences

if TYPE_CHECKING:
    from engine.notifications.settings import NotificationSettings

log = logging.getLogger(__name__)
CHANNEL = "email"

DigestRenderer = Callable[
    ..., Outgoing
]  # messages.render_digest(notes, *, send_id, prefs, settings)


@dataclass
class DigestReport:
    sent: list[str] = field(default_factory=list)  # user names, one digest each
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)  # outbox ids no longer to be sent
    released: list[int] = field(default_factory=list)  # digest turned off: sent one by one


@dataclass(frozen=True)
class DigestClaim:
    user_name: str
    user_id: int
    send_ids: list[int]
    attempts: int  # made before this one (the most of its rows)
    day_before: str | None  # digest_sent_on before this run took today
    message: Outgoing | None
    error: str | None = None


def _waiting(session: Session, name: str, now: dt.datetime) -> list[NotificationSend]:
    statement = (
        select(NotificationSend)
        .join(Notification, Notification.id == NotificationSend.notification_id)
        .where(
            Notification.user_name == name,
            NotificationSend.status == "digest",
            NotificationSend.next_attempt_at <= now,
        )
        .order_by(NotificationSend.id)
    )
    if not is_sqlite(session):
        statement = statement.with_for_update(of=NotificationSend, skip_locked=True)
    return list(session.scalars(statement))


def _take_day(session: Session, user_id: int, today: str) -> bool:
    """Mark today's digest as this run's: False when another run has it already."""
    result = session.execute(
        update(NotificationPreference)
        .where(
            NotificationPreference.user_id == user_id,
            or_(
                NotificationPreference.digest_sent_on.is_(None),
                NotificationPreference.digest_sent_on != today,
            ),
        )
        .values(digest_sent_on=today)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _drop(sends: Sequence[NotificationSend], reason: str, report: DigestReport) -> None:
    for send in sends:
        send.status, send.last_error = "dropped", reason
        report.dropped.append(send.id)


def _worth_sending(
    session: Session, sends: list[NotificationSend], report: DigestReport
) -> tuple[list[NotificationSend], list[Notification], Preferences]:
    """The rows still to be sent and their notifications; the others dropped with a reason."""
    channels = enabled_channels(session)
    kept, notes, prefs = [], [], Preferences()
    for send in sends:
        note = session.get(Notification, send.notification_id)
        assert note is not None  # the row is deleted with it
        reason, prefs = why_not(session, note, CHANNEL, channels)
        if reason is not None:
            _drop([send], reason, report)
        else:
            kept.append(send)
            notes.append(note)
    return kept, notes, prefs


def _claim(
    factory: sessionmaker[Session],
    name: str,
    now: dt.datetime,
    render: DigestRenderer,
    settings: NotificationSettings,
    report: DigestReport,
) -> DigestClaim | None:
    """Take today's digest of one user, if it is time: its rows leased, its e-mail worded."""
    with transaction(factory) as session:
        sends = _waiting(session, name, now)
        if not sends:
            return None
        who = reader(session, name)
        row = session.get(NotificationPreference, who.user_id) if who is not None else None
        if who is None:
            _drop(sends, f"{name} is no longer an active user", report)
            return None
        if row is None or not row.digest:  # turned off since: each goes out on its own, now
            for send in sends:
                send.status, send.next_attempt_at = "pending", now
                report.released.append(send.id)
            return None
        today, day_before = now.astimezone(zone_of(settings)), row.digest_sent_on
        if today.hour < row.digest_hour or day_before == today.date().isoformat():
            return None
        kept, notes, prefs = _worth_sending(session, sends, report)
        if not kept or not _take_day(session, row.user_id, today.date().isoformat()):
            return None
        for send in kept:
            send.status, send.claimed_until = "sending", now + LEASE
        send_id = kept[0].id
        message: Outgoing | None = None
        problem: str | None = None
        try:
            message = render(notes, send_id=send_id, prefs=prefs, settings=settings)
        except Exception as error:  # logged and retried like a failed send, never lost
            log.exception("the digest of %s could not be worded", name)
            problem = f"{type(error).__name__}: {error}"
        attempts = max(send.attempts for send in kept)
        ids = [send.id for send in kept]
        return DigestClaim(name, row.user_id, ids, attempts, day_before, message, problem)


def _record(
    factory: sessionmaker[Session],
    claim: DigestClaim,
    error: str | None,
    now: dt.datetime,
    took: int,
    report: DigestReport,
) -> None:
    number = claim.attempts + 1
    with transaction(factory) as session:
        for send_id in claim.send_ids:
            send = session.get(NotificationSend, send_id)
            if send is None:  # pragma: no cover - deleted with its notification meanwhile
                continue
            settle(
                session, send, error, now=now, took=took, attempts=claim.attempts, waiting="digest"
            )
        if error is not None and number < MAX_ATTEMPTS:  # today's digest not had after all
            row = session.get(NotificationPreference, claim.user_id)
            if row is not None:
                row.digest_sent_on = claim.day_before
    outcome = report.sent if error is None else report.failed
    if error is not None and number < MAX_ATTEMPTS:
        outcome = report.retrying
    outcome.append(claim.user_name)


def send_digests(
    factory: sessionmaker[Session],
    *,
    now: dt.datetime | None = None,
    senders: Mapping[str, Sender] | None = None,
    settings: NotificationSettings | None = None,
    render: DigestRenderer | None = None,
) -> DigestReport:
    """Send today's digest to each user whose digest hour has come; one e-mail each."""
    now = (now or utcnow()).astimezone(dt.UTC)
    settings = configured(settings)
    if render is None:
        from engine.notifications.messages import render_digest

        render = render_digest
    with transaction(factory, write=False) as session:
        names = sorted(  # in Python: the same order whatever the database's collation
            session.scalars(
                select(Notification.user_name)
                .join(NotificationSend, NotificationSend.notification_id == Notification.id)
                .where(NotificationSend.status == "digest", NotificationSend.next_attempt_at <= now)
                .distinct()
            )
        )
    report = DigestReport()
    if not names:
        return report
    if senders is None:
        senders = default_senders(factory, settings)
    for name in names:
        claim = _claim(factory, name, now, render, settings, report)
        if claim is not None:
            unworded = claim.error or "the digest could not be worded"
            error, took = send_once(
                senders.get(CHANNEL),
                claim.message,
                unworded,
                channel=CHANNEL,
                what=f"the digest of {name}",
            )
            _record(factory, claim, error, now, took, report)
    return report
