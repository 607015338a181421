"""The administrator sets up the channels: a robot's URL checked as a webhook's is (https,
public addresses unless a private one is allowed), its secret kept when left empty and only
ever shown as its last characters, e-mail only with an SMTP server, each change in the
admin trail, and a refused save leaving everything as it was."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.admin_log import TrailQuery, admin_events
from engine.db import transaction
from engine.errors import ValidationFailed
from engine.models_notifications import NotificationChannel
from engine.notifications.channels import channel_setups, robot_settings, save_channel

PUBLIC = "https://93.184.216.34/robot/send?access_token=abc"
SMTP = {"FORMWORK_SMTP_HOST": "mail.example.com", "FORMWORK_SMTP_FROM": "Formwork <fw@example.com>"}


def refusal(
    session_factory: sessionmaker[Session], channel: str, **given: Any
) -> list[tuple[str, str]]:
    given.setdefault("enabled", True)
    with pytest.raises(ValidationFailed) as refused, transaction(session_factory) as session:
        save_channel(session, channel, by="admin", **given)
    return [(p.path, p.code) for p in refused.value.problems]


def stored(session_factory: sessionmaker[Session]) -> dict[str, tuple[bool, dict[str, Any]]]:
    with session_factory() as session:
        rows = session.scalars(select(NotificationChannel))
        return {row.channel: (row.enabled, dict(row.settings)) for row in rows}


def trail(
    session_factory: sessionmaker[Session],
) -> list[tuple[str | None, str, str, object, object]]:
    with session_factory() as session:
        events = admin_events(session, TrailQuery(action="channel")).events
        return [(e.actor, e.action, e.target, e.before, e.after) for e in reversed(events)]


def test_nothing_is_set_up_at_first_and_every_channel_is_listed_off(session: Session) -> None:
    setups = channel_setups(session, environ={})
    assert list(setups) == ["email", "wecom", "dingtalk", "feishu"]
    assert not any(s.enabled or s.ready for s in setups.values())
    assert setups["email"].smtp is None


def test_a_robot_at_a_private_address_is_refused_unless_allowed(
    session_factory: sessionmaker[Session],
) -> None:
    assert refusal(session_factory, "dingtalk", url="https://10.0.0.7/robot") == [
        ("/url", "private_address")
    ]
    assert refusal(session_factory, "wecom", url="https://[::1]:8443/hook") == [
        ("/url", "private_address")
    ]
    assert stored(session_factory) == {} and trail(session_factory) == []
    with transaction(session_factory) as session:
        setup = save_channel(
            session,
            "dingtalk",
            enabled=True,
            url="https://10.0.0.7/robot",
            allow_private=True,
            by="admin",
        )
    assert setup.enabled and setup.allow_private and setup.ready


def test_plain_http_is_refused_unless_a_private_address_is_allowed(
    session_factory: sessionmaker[Session],
) -> None:
    assert refusal(session_factory, "feishu", url="http://93.184.216.34/hook") == [
        ("/url", "robot_url_https")
    ]
    assert ("/url", "url_scheme") in refusal(session_factory, "feishu", url="ftp://x.example/")
    assert refusal(session_factory, "feishu", url="") == [("/url", "url_required")]
    assert stored(session_factory) == {}
    with transaction(session_factory) as session:
        save_channel(
            session,
            "feishu",
            enabled=True,
            url="http://127.0.0.1:9/hook",
            allow_private=True,
            by="admin",
        )
    assert stored(session_factory)["feishu"][0] is True


def test_the_secret_is_kept_when_left_empty_and_shown_only_by_its_end(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        first = save_channel(
            session, "dingtalk", enabled=True, url=PUBLIC, secret="SECabcdef1234", by="admin"
        )
    assert first.secret_hint == "••••1234"
    assert "SECabcdef1234" not in repr(first)
    with transaction(session_factory) as session:
        again = save_channel(session, "dingtalk", enabled=False, url=PUBLIC, by="admin")
        assert robot_settings(session, "dingtalk")["secret"] == "SECabcdef1234"
    assert again.secret_hint == "••••1234" and not again.enabled
    with transaction(session_factory) as session:
        save_channel(session, "dingtalk", enabled=False, url=PUBLIC, forget_secret=True, by="ann")
        assert robot_settings(session, "dingtalk")["secret"] == ""
        assert channel_setups(session)["dingtalk"].secret_hint == ""


def test_every_change_is_in_the_admin_trail_never_with_the_secret(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        save_channel(session, "feishu", enabled=True, url=PUBLIC, secret="k3y-9876", by="admin")
    with transaction(session_factory) as session:  # the same again: nothing to record
        save_channel(session, "feishu", enabled=True, url=PUBLIC, by="admin")
    with transaction(session_factory) as session:
        save_channel(session, "feishu", enabled=False, url=PUBLIC, by="ann")
    entries = trail(session_factory)
    assert [(actor, action, target) for actor, action, target, _b, _a in entries] == [
        ("admin", "channel.save", "channel feishu"),
        ("ann", "channel.save", "channel feishu"),
    ]
    first_after = entries[0][4]
    assert first_after == {
        "active": True,
        "url": PUBLIC,
        "secret": "••••9876",
        "allow_private": False,
    }
    assert entries[1][3] == first_after and entries[1][4]["active"] is False  # type: ignore[index]
    assert "k3y-9876" not in repr(entries)


def test_email_is_turned_on_only_with_a_server_and_shows_it_without_the_password(
    session_factory: sessionmaker[Session],
) -> None:
    assert refusal(session_factory, "email", environ={}) == [("/enabled", "smtp_not_set_up")]
    environ = SMTP | {"FORMWORK_SMTP_USER": "fw", "FORMWORK_SMTP_PASSWORD": "hunter2-secret"}
    with transaction(session_factory) as session:
        setup = save_channel(session, "email", enabled=True, by="admin", environ=environ)
    assert setup.enabled and setup.smtp is not None
    assert (setup.smtp.host, setup.smtp.port, setup.smtp.tls) == (
        "mail.example.com",
        587,
        "starttls",
    )
    assert setup.smtp.sender == "Formwork <fw@example.com>"
    assert "hunter2-secret" not in repr(setup)
    assert stored(session_factory) == {"email": (True, {})}
    with session_factory() as session:  # off again is always allowed, server or not
        assert channel_setups(session, environ={})["email"].smtp is None


def test_a_url_with_markup_and_a_secret_a_robot_does_not_take_are_refused(
    session_factory: sessionmaker[Session],
) -> None:
    assert refusal(session_factory, "dingtalk", url='https://x.example/"><b>') == [
        ("/url", "url_characters")
    ]
    assert refusal(session_factory, "wecom", url=PUBLIC, secret="SECabcdef1234") == [
        ("/secret", "robot_secret_unused")
    ]
    assert refusal(session_factory, "dingtalk", url=PUBLIC, secret="short") == [
        ("/secret", "robot_secret_length")
    ]
    assert stored(session_factory) == {}


def test_an_unknown_channel_is_refused_at_its_place(session_factory: sessionmaker[Session]) -> None:
    assert refusal(session_factory, "pager", url=PUBLIC) == [("/channel", "unknown_channel")]
    assert stored(session_factory) == {}
