"""Sending the notification outbox: each message once, retried with backoff and given up in
the log, dropped when the recipient may no longer have it, held through quiet hours, and the
daily digest once a day — with two workers at once, and a worker dying half-way.

The channels' senders are functions that keep what they are given (the real e-mail and
robots are tested in test_notification_channels.py); the wording is a stand-in renderer.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import accounts, grants
from engine.actor import SYSTEM
from engine.db import transaction
from engine.errors import NotFound, ValidationFailed
from engine.models_notifications import (
    Notification,
    NotificationAttempt,
    NotificationChannel,
    NotificationPreference,
    NotificationSend,
)
from engine.notifications import Preferences, delivery, notify, save_preferences
from engine.notifications.claims import LEASE, claim_due
from engine.notifications.delivery import (
    MAX_ATTEMPTS,
    backoff,
    deliver_due,
    delivery_log,
    retry_send,
)
from engine.notifications.outgoing import Outgoing, SendFailed
from engine.notifications.settings import NotificationSettings
from engine.packs import import_pack
from engine.records import create_record
from tests.engine.people import make_user
from tests.engine.test_write_scope import scoped_pack, tally

SHANGHAI = NotificationSettings(timezone="Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def word(
    note: Notification, *, channel: str, send_id: int, prefs: Preferences, **_: Any
) -> Outgoing:
    title = str(note.params.get("title", ""))
    return Outgoing(
        send_id, channel, prefs.language, f"{note.event}: {title}", title, title, "/", prefs.email
    )


def word_digest(
    notes: list[Notification], *, send_id: int, prefs: Preferences, **_: Any
) -> Outgoing:
    titles = ", ".join(str(n.params.get("title")) for n in notes)
    return Outgoing(
        send_id,
        "email",
        prefs.language,
        f"{len(notes)} notifications",
        titles,
        titles,
        "/",
        prefs.email,
    )


@dataclass
class Inbox:
    """What the channels were given, and what they answer (failures first, then success)."""

    received: list[Outgoing] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, message: Outgoing) -> None:
        with self.lock:
            if self.failures:
                raise SendFailed(self.failures.pop(0))
            self.received.append(message)

    def senders(self) -> dict[str, Inbox]:
        return {"email": self, "wecom": self}


@pytest.fixture
def site(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """Zhao manages project A and reads its tally; he wants e-mail and WeCom."""
    with transaction(session_factory) as session:
        import_pack(session, scoped_pack())
        a = create_record(session, "project", {"code": "A", "name": "Tower A"}, SYSTEM)
        zhao = make_user(session, "zhao", "site_manager")
        accounts.add_grant(session, "zhao", "project", a.id)
        make_user(session, "lee", "foreman")
        on_a = create_record(session, "labour", tally(a.id), SYSTEM)
        for channel in ("email", "wecom"):
            session.add(NotificationChannel(channel=channel, enabled=True, settings={}))
        assert zhao.user_id is not None
        choose(session, zhao.user_id, channels=("email", "wecom"))
        return {"project": a.id, "tally": on_a.id}


def choose(session: Session, user_id: int, **changes: Any) -> None:
    wanted = {"email": "zhao@example.com", "language": "en", "channels": ("email",)} | changes
    save_preferences(session, user_id, Preferences(**wanted))


def raise_task(
    factory: sessionmaker[Session], site: dict[str, str], key: str, at: dt.datetime
) -> None:
    with transaction(factory) as session:
        notify(
            session, "task", ["zhao"], key=key, module="labour", record_id=site["tally"],
            actor="lee", params={"title": key}, at=at,
        )  # fmt: skip


def deliver(factory: sessionmaker[Session], inbox: Inbox, now: dt.datetime, **options: Any) -> Any:
    return deliver_due(
        factory, now=now, senders=inbox.senders(), settings=SHANGHAI, render=word, **options
    )


def sends(factory: sessionmaker[Session]) -> list[NotificationSend]:
    with transaction(factory, write=False) as session:
        rows = list(session.scalars(select(NotificationSend).order_by(NotificationSend.id)))
        session.expunge_all()
        return rows


def test_each_channel_sends_once_and_the_log_shows_it(session_factory, site) -> None:
    raise_task(session_factory, site, "task:1", MONDAY)
    inbox = Inbox()
    report = deliver(session_factory, inbox, MONDAY)
    assert sorted(m.channel for m in inbox.received) == ["email", "wecom"]
    assert inbox.received[0].subject == "task: task:1" and inbox.received[0].to_email
    assert len(report.sent) == 2 and report.retrying == report.failed == report.dropped == []
    assert [s.status for s in sends(session_factory)] == ["sent", "sent"]

    again = deliver(session_factory, inbox, MONDAY + dt.timedelta(days=1))
    assert again.looked_at == 0 and len(inbox.received) == 2  # nothing goes out twice
    with transaction(session_factory, write=False) as session:
        page = delivery_log(session, channel="email")
        assert page.total == 1
        row = page.rows[0]
        assert (row.recipient, row.event, row.status, row.attempts) == ("zhao", "task", "sent", 1)
        assert row.record_id == site["tally"] and row.at == MONDAY


def test_a_failing_channel_is_retried_later_then_given_up_and_sent_again_by_hand(
    session_factory, site
) -> None:
    with transaction(session_factory) as session:
        session.get(NotificationChannel, "wecom").enabled = False  # type: ignore[union-attr]
    raise_task(session_factory, site, "task:1", MONDAY)
    inbox = Inbox(failures=["550 mailbox unavailable"] * MAX_ATTEMPTS)
    now = MONDAY
    first = deliver(session_factory, inbox, now)
    assert len(first.retrying) == 1 and inbox.received == []
    (send,) = sends(session_factory)
    assert (send.status, send.attempts, send.last_error) == (
        "pending",
        1,
        "550 mailbox unavailable",
    )
    early = deliver(session_factory, inbox, now + backoff(1) - dt.timedelta(seconds=1))
    assert early.looked_at == 0  # not before the backoff has passed
    for number in range(2, MAX_ATTEMPTS + 1):
        now += backoff(number - 1)
        report = deliver(session_factory, inbox, now)
        assert (report.failed if number == MAX_ATTEMPTS else report.retrying) == [send.id]
    assert backoff(2) == 2 * backoff(1) and backoff(30) == dt.timedelta(hours=6)
    (send,) = sends(session_factory)
    assert (send.status, send.attempts) == ("failed", MAX_ATTEMPTS)
    assert deliver(session_factory, inbox, now + dt.timedelta(days=2)).looked_at == 0
    with transaction(session_factory, write=False) as session:
        (row,) = delivery_log(session, status="failed").rows
        assert row.last_error == "550 mailbox unavailable" and row.attempts == MAX_ATTEMPTS
        logged = session.scalars(select(NotificationAttempt.ok)).all()
        assert logged == [False] * MAX_ATTEMPTS

    with transaction(session_factory) as session:
        retry_send(session, send.id, now=now)
    assert deliver(session_factory, inbox, now).sent == [send.id]
    assert [m.subject for m in inbox.received] == ["task: task:1"]


def test_bad_log_filters_and_unknown_sends_are_refused_at_their_place(
    session_factory, site
) -> None:
    with transaction(session_factory, write=False) as session:
        with pytest.raises(ValidationFailed) as refused:
            delivery_log(session, status="lost", channel="pigeon")
        problems = {p.path: p for p in refused.value.problems}
        assert {path: p.code for path, p in problems.items()} == {
            "/status": "unknown_send_status",
            "/channel": "unknown_channel",
        }
        assert "'lost' is not a delivery status" in problems["/status"].message
        with pytest.raises(NotFound):
            retry_send(session, 12345)
        with pytest.raises(NotFound):
            retry_send(session, 2**70)


def test_what_changed_since_the_event_is_looked_at_again_when_sending(
    session_factory, site
) -> None:
    raise_task(session_factory, site, "task:1", MONDAY)
    with transaction(session_factory) as session:  # his grant on project A is taken away
        grants.remove_grant(session, "zhao", "project", site["project"])
    inbox = Inbox()
    report = deliver(session_factory, inbox, MONDAY)
    assert len(report.dropped) == 2 and inbox.received == []
    assert {(s.status, s.attempts) for s in sends(session_factory)} == {("dropped", 0)}
    assert "zhao may no longer read labour" in (sends(session_factory)[0].last_error or "")

    with transaction(session_factory) as session:
        accounts.add_grant(session, "zhao", "project", site["project"])
        session.get(NotificationChannel, "wecom").enabled = False  # type: ignore[union-attr]
    raise_task(session_factory, site, "task:2", MONDAY)  # an e-mail row only
    with transaction(session_factory) as session:
        zhao = session.scalar(select(NotificationPreference))
        assert zhao is not None
        zhao.channels = ["wecom"]  # and e-mail no longer wanted
    assert deliver(session_factory, inbox, MONDAY).dropped != []
    assert [s.last_error for s in sends(session_factory)[2:]] == ["zhao no longer wants email"]

    with transaction(session_factory) as session:
        zhao = session.scalar(select(NotificationPreference))
        assert zhao is not None
        zhao.channels = ["email"]
    raise_task(session_factory, site, "task:3", MONDAY)
    with transaction(session_factory) as session:
        accounts.deactivate_user(session, "zhao")
    assert deliver(session_factory, inbox, MONDAY).sent == [] and inbox.received == []
    assert sends(session_factory)[-1].last_error == "zhao is no longer an active user"


def test_quiet_hours_hold_a_send_until_they_end_in_the_firms_time_zone(
    session_factory, site
) -> None:
    with transaction(session_factory) as session:
        user_id = session.scalar(select(NotificationPreference.user_id))
        assert user_id is not None
        choose(session, user_id, quiet_from="22:00", quiet_to="07:30")
    late = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # 23:00 in Shanghai
    raise_task(session_factory, site, "task:1", late)
    inbox = Inbox()
    report = deliver(session_factory, inbox, late)
    assert len(report.deferred) == 1 and inbox.received == []
    (send,) = sends(session_factory)
    morning = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # 07:30 the next day there
    assert (send.status, send.attempts) == ("pending", 0)
    assert send.next_attempt_at.replace(tzinfo=dt.UTC) == morning
    assert deliver(session_factory, inbox, morning - dt.timedelta(minutes=1)).looked_at == 0
    assert deliver(session_factory, inbox, morning).sent == [send.id]
    assert len(inbox.received) == 1


def test_two_workers_at_once_never_send_one_row_twice(session_factory, site) -> None:
    for number in range(30):
        raise_task(session_factory, site, f"task:{number}", MONDAY)
    first = claim_due(session_factory, now=MONDAY, limit=10, render=word, settings=SHANGHAI)
    second = claim_due(session_factory, now=MONDAY, limit=10, render=word, settings=SHANGHAI)
    assert {c.send_id for c in first.claimed}.isdisjoint(c.send_id for c in second.claimed)

    inbox = Inbox()
    start = threading.Barrier(2)

    def work() -> None:
        start.wait()
        while deliver(session_factory, inbox, MONDAY, limit=7).looked_at:
            pass

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    ids = [m.send_id for m in inbox.received]
    assert len(ids) == len(set(ids)) == 40  # 60 rows, 20 still leased by the two claims
    later = deliver(session_factory, inbox, MONDAY + LEASE + dt.timedelta(seconds=1))
    assert len(later.sent) == 20
    ids = [m.send_id for m in inbox.received]
    assert len(ids) == len(set(ids)) == 60


def test_a_worker_dying_between_claim_and_send_is_taken_over_once(session_factory, site) -> None:
    raise_task(session_factory, site, "task:1", MONDAY)
    crashed = claim_due(session_factory, now=MONDAY, limit=100, render=word, settings=SHANGHAI)
    assert len(crashed.claimed) == 2  # ...and the worker dies: nothing sent, nothing marked
    inbox = Inbox()
    assert deliver(session_factory, inbox, MONDAY + LEASE - dt.timedelta(seconds=1)).looked_at == 0
    taken = deliver(session_factory, inbox, MONDAY + LEASE)
    assert len(taken.sent) == 2 and len(inbox.received) == 2
    assert deliver(session_factory, inbox, MONDAY + 3 * LEASE).looked_at == 0
    assert len(inbox.received) == 2


def test_the_administrator_turning_a_channel_off_drops_what_it_still_held(
    session_factory, site
) -> None:
    raise_task(session_factory, site, "task:1", MONDAY)
    with transaction(session_factory) as session:
        session.get(NotificationChannel, "wecom").enabled = False  # type: ignore[union-attr]
    inbox = Inbox()
    report = deliver(session_factory, inbox, MONDAY)
    assert [m.channel for m in inbox.received] == ["email"] and len(report.dropped) == 1
    wecom = [s for s in sends(session_factory) if s.channel == "wecom"]
    assert wecom[0].last_error == "the administrator turned wecom off"


def test_a_run_too_slow_for_its_lease_gives_back_what_it_has_not_sent(
    session_factory, site, monkeypatch
) -> None:
    raise_task(session_factory, site, "task:1", MONDAY)
    monkeypatch.setattr(delivery, "LEASE", dt.timedelta(0))  # as if half of it had passed
    inbox = Inbox()
    assert deliver(session_factory, inbox, MONDAY).sent == [] and inbox.received == []
    assert {(s.status, s.attempts) for s in sends(session_factory)} == {("pending", 0)}
    monkeypatch.undo()
    assert len(deliver(session_factory, inbox, MONDAY).sent) == 2
    assert len(inbox.received) == 2
