"""Raising an event tells each recipient once, only about what they may read, never the one
who caused it; each user's channels get one outbox row; the in-app list and count agree."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import accounts
from engine.actor import SYSTEM
from engine.errors import ValidationFailed
from engine.models import User
from engine.models_notifications import (
    Notification,
    NotificationChannel,
    NotificationPreference,
    NotificationSend,
)
from engine.notifications import (
    Preferences,
    mark_read,
    notifications_of,
    notify,
    preferences_of,
    save_preferences,
    unread_count,
)
from engine.packs import import_pack
from engine.records import create_record
from tests.engine.people import make_user
from tests.engine.test_write_scope import scoped_pack, tally


@pytest.fixture
def site(session: Session) -> dict:
    import_pack(session, scoped_pack())
    a = create_record(session, "project", {"code": "A", "name": "Tower A"}, SYSTEM)
    b = create_record(session, "project", {"code": "B", "name": "Tower B"}, SYSTEM)
    zhao = make_user(session, "zhao", "site_manager")
    accounts.add_grant(session, "zhao", "project", a.id)
    make_user(session, "wang", "site_manager")
    accounts.add_grant(session, "wang", "project", b.id)
    make_user(session, "lee", "foreman")
    on_a = create_record(session, "labour", tally(a.id), SYSTEM)
    return {"a": a.id, "b": b.id, "tally": on_a.id, "zhao": zhao}


def raise_task(session: Session, site: dict, *names: str, key: str = "task:1") -> list[str]:
    notes = notify(
        session,
        "task",
        names,
        key=key,
        module="labour",
        record_id=site["tally"],
        actor="lee",
        params={"title": "LT-1"},
    )
    return [n.user_name for n in notes]


def test_only_readers_who_did_not_cause_it_are_told_once(session: Session, site: dict) -> None:
    # wang's scope is project B: the tally on A is not his to read; lee caused it
    assert raise_task(session, site, "zhao", "wang", "lee", "nobody") == ["zhao"]
    assert raise_task(session, site, "zhao") == []  # the same key again: told already
    assert raise_task(session, site, "zhao", key="task:2") == ["zhao"]
    told = session.scalars(select(Notification.user_name).order_by(Notification.id)).all()
    assert told == ["zhao", "zhao"]


def test_an_unknown_event_is_a_programming_error(session: Session, site: dict) -> None:
    with pytest.raises(ValueError, match="nudge"):
        notify(session, "nudge", ["zhao"], key="x")


def test_channels_on_for_the_firm_and_chosen_by_the_user_get_one_row_each(
    session: Session, site: dict
) -> None:
    session.add_all(
        [
            NotificationChannel(channel="email", enabled=True, settings={}),
            NotificationChannel(channel="dingtalk", enabled=True, settings={}),
            NotificationChannel(channel="feishu", enabled=False, settings={}),
        ]
    )
    wanted = Preferences(email="zhao@example.com", channels=("email", "feishu", "dingtalk"))
    save_preferences(session, site["zhao"].user_id, wanted)
    raise_task(session, site, "zhao")
    sends = session.scalars(select(NotificationSend.channel).order_by(NotificationSend.channel))
    assert list(sends) == ["dingtalk", "email"]  # feishu is not set up by the firm


def test_a_digest_holds_email_and_a_muted_event_is_not_raised(session: Session, site: dict) -> None:
    session.add(NotificationChannel(channel="email", enabled=True, settings={}))
    wanted = Preferences(email="z@example.com", channels=("email",), digest=True)
    save_preferences(session, site["zhao"].user_id, wanted)
    raise_task(session, site, "zhao")
    assert session.scalar(select(NotificationSend.status)) == "digest"
    save_preferences(session, site["zhao"].user_id, Preferences(muted=frozenset({"task"})))
    assert raise_task(session, site, "zhao", key="task:9") == []


def test_the_list_and_the_count_leave_out_what_the_reader_lost(
    session: Session, site: dict
) -> None:
    raise_task(session, site, "zhao")
    raise_task(session, site, "zhao", key="task:2")
    zhao = site["zhao"]
    assert unread_count(session, zhao) == 2
    page = notifications_of(session, zhao)
    assert [n.key for n in page.items] == ["task:2", "task:1"] and page.unread == 2
    assert mark_read(session, zhao, [page.items[0].id]) == 1
    assert unread_count(session, zhao) == 1
    accounts.remove_grant(session, "zhao", "project", site["a"])
    lost = accounts.actor_of(session.scalars(select(User).where(User.name == "zhao")).one())
    assert unread_count(session, lost) == 0 and notifications_of(session, lost).items == []


def test_wrong_preferences_are_refused_at_their_place_and_nothing_is_kept(
    session: Session, site: dict
) -> None:
    user_id = site["zhao"].user_id
    wrong = Preferences(
        email="not an address",
        mobile="call me",
        language="fr",
        muted=frozenset({"gossip"}),
        channels=("pigeon",),
        quiet_from="25:00",
        digest_hour=24,
    )
    with pytest.raises(ValidationFailed) as refused:
        save_preferences(session, user_id, wrong)
    places = {(p.path, p.code) for p in refused.value.problems}
    assert places == {
        ("/notifications/email", "not_an_email"),
        ("/notifications/mobile", "not_a_mobile"),
        ("/notifications/language", "unknown_language"),
        ("/notifications/muted", "unknown_event"),
        ("/notifications/channels", "unknown_channel"),
        ("/notifications/quiet_from", "not_a_time"),
        ("/notifications/quiet_to", "both_times_needed"),
        ("/notifications/digest_hour", "not_an_hour"),
    }
    assert session.scalar(select(func.count()).select_from(NotificationPreference)) == 0
    assert preferences_of(session, user_id) == Preferences()


@pytest.mark.parametrize(
    ("start", "end", "inside", "outside"),
    [("22:00", "07:00", ["23:30", "00:10", "06:59"], ["07:00", "12:00", "21:59"]),
     ("12:00", "13:30", ["12:00", "13:29"], ["11:59", "13:30"])],
)  # fmt: skip
def test_quiet_hours_may_run_over_midnight(
    start: str, end: str, inside: list[str], outside: list[str]
) -> None:
    wanted = Preferences(quiet_from=start, quiet_to=end)
    assert all(wanted.quiet_at(dt.time.fromisoformat(t)) for t in inside)
    assert not any(wanted.quiet_at(dt.time.fromisoformat(t)) for t in outside)


def test_a_digest_without_email_is_refused_at_the_digest(session: Session, site: dict) -> None:
    wanted = Preferences(email="z@example.com", channels=("dingtalk",), digest=True)
    with pytest.raises(ValidationFailed) as refused:
        save_preferences(session, site["zhao"].user_id, wanted)
    assert [(p.path, p.code) for p in refused.value.problems] == [
        ("/notifications/digest", "digest_needs_email")
    ]
