"""The notifications a user reads in the app: the bell, the list, following one, marking
read, and the preferences page that says what to tell them and where."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts import get_user
from engine.db import transaction
from engine.grants import remove_grant
from engine.models_notifications import Notification, NotificationChannel
from engine.notifications import notify
from engine.notifications.preferences import Preferences, preferences_of, save_preferences
from tests.web.helpers import create_record, post, project_id

TITLE = {"en": "Labour tally", "zh-CN": "点工汇总"}
HOSTILE = '<script>alert("x")</script> **bold** {{ 7*7 }} {% if 1 %}x{% endif %}'


def tally(app: Flask, worker: str = "Wang Jianguo") -> str:
    data = {
        "project": project_id(app),
        "date": "2026-05-04",
        "worker": worker,
        "trade": "rebar",
        "items": [{"content": "tying", "hours": "6", "rate": "40"}],
    }
    return create_record(app, "labour_tally", "foreman", data)


def tell(app: Flask, event: str, to: str, record_id: str | None, **params: Any) -> int:
    """Raise one event through the engine, as the workflow does; returns the notification id."""
    key = params.pop("key", f"{event}:{record_id}:{len(params)}:{to}")
    with transaction(app.extensions["formwork"].session_factory) as session:
        written = notify(
            session,
            event,
            [to],
            key=key,
            module="labour_tally" if record_id else params.pop("module", None),
            record_id=record_id,
            actor=params.pop("actor", "manager"),
            params={"module_title": TITLE, **params},
        )
        assert len(written) == 1
        return written[0].id


def approved(app: Flask, record_id: str, title: str = "LT-1 Wang Jianguo") -> int:
    return tell(
        app,
        "decision",
        "foreman",
        record_id,
        title=title,
        transition="approve",
        transition_label={"en": "Approve", "zh-CN": "批准"},
        outcome="approved",
        state_label={"en": "Approved", "zh-CN": "已批准"},
        comment="Checked against the site diary",
    )


def foreman_id(session: Session) -> int:
    return get_user(session, "foreman").id


def bell_label(client: FlaskClient) -> str:
    match = re.search(r'id="bell"[^>]*aria-label="([^"]*)"', client.get("/notifications/bell").text)
    assert match, "no bell"
    return html.unescape(match.group(1))


def test_the_owner_reads_what_happened_follows_it_and_it_is_read(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = tally(app)
    note_id = approved(app, record_id)
    sign_in("foreman")
    home = client.get("/")
    assert (
        'hx-get="/notifications/bell"' in home.text and 'hx-trigger="load, every 60s"' in home.text
    )
    assert bell_label(client) == "1 unread notification"
    page = client.get("/notifications")
    assert page.status_code == 200
    assert "Site manager approved LT-1 Wang Jianguo." in page.text
    assert "Checked against the site diary" in page.text
    assert 'class="note note-unread"' in page.text and " ago<" in page.text
    followed = post(client, f"/notifications/{note_id}/open")
    assert followed.status_code == 303
    assert followed.headers["Location"] == f"/m/labour_tally/r/{record_id}"
    assert client.get(followed.headers["Location"]).status_code == 200
    assert bell_label(client) == "No unread notifications"
    assert "note-unread" not in client.get("/notifications").text


def test_each_user_sees_only_their_own(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    note_id = approved(app, tally(app))
    sign_in("accountant")  # may read every tally, but was told nothing
    assert "approved" not in client.get("/notifications").text
    assert bell_label(client) == "No unread notifications"
    assert post(client, f"/notifications/{note_id}/open").status_code == 404
    assert post(client, f"/notifications/{note_id}/read").status_code == 404
    with transaction(app.extensions["formwork"].session_factory) as session:
        assert session.get(Notification, note_id).read_at is None  # type: ignore[union-attr]


def test_a_record_out_of_reach_is_neither_listed_nor_counted(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = tally(app)
    note_id = tell(
        app,
        "task",
        "manager",
        record_id,
        actor="foreman",
        title="LT-1 Wang Jianguo",
        kind="vote",
        transition="approve",
        transition_label={"en": "Approve", "zh-CN": "批准"},
        state_label={"en": "Submitted", "zh-CN": "已提交"},
        due_at=None,
    )
    sign_in("manager")
    assert "LT-1 Wang Jianguo waits for your approval." in client.get("/notifications").text
    assert bell_label(client) == "1 unread notification"
    with transaction(app.extensions["formwork"].session_factory) as session:
        assert remove_grant(session, "manager", "project", project_id(app))
    assert "Wang Jianguo" not in client.get("/notifications").text
    assert bell_label(client) == "No unread notifications"
    assert post(client, f"/notifications/{note_id}/open").status_code == 404


def test_hostile_params_are_shown_as_text(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = tally(app)
    tell(app, "mention", "foreman", record_id, title=HOSTILE, comment_id=1, excerpt=HOSTILE)
    tell(
        app,
        "copied",
        "foreman",
        record_id,
        title="LT-1",
        transition_label={"en": HOSTILE, "zh-CN": HOSTILE},
        message={"en": HOSTILE, "zh-CN": HOSTILE},
    )
    sign_in("foreman")
    page = client.get("/notifications").text
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; **bold** {{ 7*7 }}" in page
    assert "{% if 1 %}x{% endif %}" in page and "<strong>bold" not in page


def test_mark_one_read_without_reload_then_all(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = tally(app)
    first = approved(app, record_id)
    tell(app, "comment", "foreman", record_id, title="LT-1", comment_id=7, excerpt="Rain delay")
    sign_in("foreman")
    answer = post(client, f"/notifications/{first}/read", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert f'id="note-{first}" class="note"' in answer.text
    assert (
        'hx-swap-oob="true"' in answer.text and 'aria-label="1 unread notification"' in answer.text
    )
    unread = client.get("/notifications?show=unread").text
    assert "Rain delay" in unread and "approved" not in unread
    plain = post(client, "/notifications/read-all", {"show": "unread"})
    assert plain.status_code == 303 and plain.headers["Location"] == "/notifications?show=unread"
    assert "No unread notifications." in client.get(plain.headers["Location"]).text
    assert "approved" in client.get("/notifications").text  # still listed, read


def test_the_list_comes_in_pages(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = tally(app)
    for n in range(23):
        tell(app, "comment", "foreman", record_id, key=f"c{n}", title="LT-1", excerpt=f"note {n}.")
    sign_in("foreman")
    first = client.get("/notifications").text
    assert "note 22." in first and "note 2." not in first and 'rel="next"' in first
    second = client.get("/notifications?page=2").text
    assert "note 2." in second and "note 0." in second and "note 22." not in second
    for odd in ("x", "²", "0", "9" * 30):
        assert client.get(f"/notifications?page={odd}").status_code == 200


def test_the_list_speaks_chinese(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    approved(app, tally(app))
    sign_in("foreman")
    post(client, "/language", {"language": "zh-CN", "next": "/notifications"})
    page = client.get("/notifications").text
    assert "通知" in page and "Site manager" in page and "批准了" in page
    assert bell_label(client) == "1 条未读通知"


def choose(client: FlaskClient, **changes: Any) -> Any:
    form: dict[str, Any] = {
        "email": "wang@example.com",
        "mobile": "+8613800000000",
        "language": "en",
        "events": ["task", "decision", "mention"],
        "channels": ["email"],
        "quiet_from": "22:00",
        "quiet_to": "07:00",
        "digest": "on",
        "digest_hour": "8",
    }
    return post(client, "/notifications/preferences", {**form, **changes})


def test_preferences_are_saved(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        session.add(NotificationChannel(channel="email", enabled=True, settings={}))
    sign_in("foreman")
    assert 'href="/notifications/preferences"' in client.get("/profile").text
    assert 'href="/notifications/preferences"' in client.get("/notifications").text
    form = client.get("/notifications/preferences").text
    assert 'name="channels" value="email"' in form
    assert 'data-channel-off="wecom"' in form and "not set up by your administrator" in form
    assert 'value="import_failed"' in form and 'value="webhook_failed"' not in form  # admins' only
    assert choose(client).status_code == 303
    with transaction(app.extensions["formwork"].session_factory) as session:
        saved = preferences_of(session, foreman_id(session))
    assert saved.email == "wang@example.com" and saved.channels == ("email",)
    assert saved.muted == {
        "copied",
        "due_soon",
        "overdue",
        "comment",
        "import_failed",
    }  # a failed webhook is not offered to a foreman: left as it was
    assert (saved.quiet_from, saved.quiet_to, saved.digest, saved.digest_hour) == (
        "22:00",
        "07:00",
        True,
        8,
    )
    shown = client.get("/notifications/preferences").text
    assert 'value="wang@example.com"' in shown and 'value="22:00"' in shown
    # a channel the administrator has not set up is not taken from a forged form
    assert choose(client, channels=["email", "wecom"]).status_code == 303
    with transaction(app.extensions["formwork"].session_factory) as session:
        assert preferences_of(session, foreman_id(session)).channels == ("email",)


def test_each_wrong_preference_is_refused_at_its_field_and_nothing_changes(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    factory = app.extensions["formwork"].session_factory
    with transaction(factory) as session:
        session.add(NotificationChannel(channel="email", enabled=True, settings={}))
        save_preferences(
            session, foreman_id(session), Preferences(email="old@example.com", language="en")
        )
    sign_in("foreman")
    wrong = {
        "email": "not an address",
        "mobile": "call me",
        "language": "fr",
        "quiet_from": "25:00",
        "quiet_to": "",
        "digest_hour": "²",
        "channels": ["email", "pigeon"],
    }
    answer = choose(client, **wrong)
    assert answer.status_code == 422
    for field in (
        "email",
        "mobile",
        "language",
        "quiet_from",
        "quiet_to",
        "digest_hour",
        "channels",
    ):
        assert f'data-error="{field}"' in answer.text, field
        assert f'id="pref-{field}-error"' in answer.text
    assert "not an address is not an e-mail address." in answer.text
    assert "² is not an hour of the day (0 to 23)." in answer.text
    assert 'value="not an address"' in answer.text  # what was typed stays, to be corrected
    with transaction(factory) as session:
        assert preferences_of(session, foreman_id(session)) == Preferences(
            email="old@example.com", language="en"
        )
    post(client, "/language", {"language": "zh-CN", "next": "/"})
    chinese = choose(client, email="@@")
    assert chinese.status_code == 422 and "不是" in chinese.text
    missing = choose(client, email="", channels=["email"])
    assert 'data-error="email"' in missing.text
    with transaction(factory) as session:
        assert preferences_of(session, foreman_id(session)).email == "old@example.com"
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_bell_of_a_signed_out_browser_is_left_alone(client: FlaskClient) -> None:
    assert client.get("/notifications/bell").status_code == 204
    assert client.get("/notifications").status_code == 302
