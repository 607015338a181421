"""The daily digest: one e-mail at the user's hour in the firm's time zone, once a day, the
items they may no longer read left out, tried again after a failure, and what it held sent
one by one when the user turns it off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import accounts, grants
from engine.actor import SYSTEM
from engine.db import transaction
from engine.models_notifications import NotificationPreference
from engine.notifications import notify
from engine.notifications.delivery import backoff
from engine.notifications.digest import send_digests
from engine.records import create_record
from tests.engine.test_notification_delivery import (
    MONDAY,
    SHANGHAI,
    Inbox,
    choose,
    deliver,
    raise_task,
    sends,
    site,
    word_digest,
)
from tests.engine.test_write_scope import tally

__all__ = ["site"]  # the fixture, shared


def digests(factory: sessionmaker[Session], inbox: Inbox, now: dt.datetime) -> Any:
    return send_digests(
        factory, now=now, senders=inbox.senders(), settings=SHANGHAI, render=word_digest
    )


def test_the_digest_goes_out_once_a_day_at_the_chosen_hour(session_factory, site) -> None:
    with transaction(session_factory) as session:
        user_id = session.scalar(select(NotificationPreference.user_id))
        assert user_id is not None
        choose(session, user_id, digest=True, digest_hour=8)
    early = dt.datetime(2026, 3, 1, 21, 0, tzinfo=dt.UTC)  # Monday 05:00 in Shanghai
    for key in ("task:1", "task:2"):
        raise_task(session_factory, site, key, early)
    inbox = Inbox()
    assert deliver(session_factory, inbox, early).looked_at == 0  # held for the digest
    assert digests(session_factory, inbox, early).sent == []  # the hour has not come today
    seven = dt.datetime(2026, 3, 1, 23, 0, tzinfo=dt.UTC)  # Monday 07:00 there
    assert digests(session_factory, inbox, seven).sent == [] and inbox.received == []

    eight = seven + dt.timedelta(hours=1, minutes=5)
    assert digests(session_factory, inbox, eight).sent == ["zhao"]
    (digest,) = inbox.received
    assert (digest.subject, digest.text) == ("2 notifications", "task:1, task:2")
    assert {s.status for s in sends(session_factory)} == {"sent"}
    with transaction(session_factory, write=False) as session:
        prefs = session.scalar(select(NotificationPreference))
        assert prefs is not None and prefs.digest_sent_on == "2026-03-02"

    raise_task(session_factory, site, "task:3", eight + dt.timedelta(hours=1))
    assert digests(session_factory, inbox, eight + dt.timedelta(hours=10)).sent == []
    tuesday = eight + dt.timedelta(days=1)
    assert digests(session_factory, inbox, tuesday).sent == ["zhao"]
    assert [m.text for m in inbox.received] == ["task:1, task:2", "task:3"]
    assert digests(session_factory, inbox, tuesday + dt.timedelta(days=1)).sent == []
    assert len(inbox.received) == 2  # nothing waiting: no empty digest


def test_a_failed_digest_is_tried_again_and_an_unreadable_item_left_out(
    session_factory, site
) -> None:
    with transaction(session_factory) as session:
        user_id = session.scalar(select(NotificationPreference.user_id))
        assert user_id is not None
        choose(session, user_id, digest=True, digest_hour=8)
        b = create_record(session, "project", {"code": "B", "name": "Tower B"}, SYSTEM)
        accounts.add_grant(session, "zhao", "project", b.id)
        other = create_record(session, "labour", tally(b.id, "Wu Gang"), SYSTEM)
    raise_task(session_factory, site, "task:1", MONDAY)
    with transaction(session_factory) as session:
        notify(
            session, "task", ["zhao"], key="task:2", module="labour", record_id=other.id,
            params={"title": "task:2"}, at=MONDAY,
        )  # fmt: skip
        grants.remove_grant(session, "zhao", "project", site["project"])  # task:1 unreadable
    inbox = Inbox(failures=["421 try again later"])
    failed = digests(session_factory, inbox, MONDAY)
    assert failed.retrying == ["zhao"] and len(failed.dropped) == 1 and inbox.received == []
    assert digests(session_factory, inbox, MONDAY + dt.timedelta(seconds=30)).retrying == []
    again = digests(session_factory, inbox, MONDAY + backoff(1))
    assert again.sent == ["zhao"] and [m.text for m in inbox.received] == ["task:2"]
    statuses = sorted((s.status, s.attempts) for s in sends(session_factory))
    assert statuses == [("dropped", 0), ("sent", 2)]


def test_a_digest_turned_off_sends_what_it_held_one_by_one(session_factory, site) -> None:
    with transaction(session_factory) as session:
        user_id = session.scalar(select(NotificationPreference.user_id))
        assert user_id is not None
        choose(session, user_id, digest=True)
    raise_task(session_factory, site, "task:1", MONDAY)
    with transaction(session_factory) as session:
        choose(session, user_id, digest=False)
    inbox = Inbox()
    assert len(digests(session_factory, inbox, MONDAY).released) == 1
    assert len(deliver(session_factory, inbox, MONDAY).sent) == 1
    assert [m.subject for m in inbox.received] == ["task: task:1"]
