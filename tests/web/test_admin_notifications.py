"""Notification channels in the admin console: an administrator sets up a robot (its secret
never shown again), sends a test message to a real receiver, reads the delivery log with
its filters and sends a failed one again; each wrong input is refused beside its field in
English and in Chinese with nothing stored; a foreman gets a plain 403 everywhere."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from engine import accounts
from engine.admin_log import TrailQuery, admin_events
from engine.db import transaction
from engine.models_notifications import NotificationChannel, NotificationSend
from engine.notifications import Preferences, notify, save_preferences
from engine.notifications.channels import save_channel
from tests.receiver import Receiver, running_receiver
from tests.smtpserver import running_smtp
from tests.web.helpers import post, project_id

ZH = {"Accept-Language": "zh-CN"}
OK = b'{"errcode": 0, "errmsg": "ok"}'
PAGE = "/admin/notifications/"
SignIn = Callable[[str], FlaskClient]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def channels(app: Flask) -> dict[str, tuple[bool, dict[str, object]]]:
    with app.extensions["formwork"].session_factory() as session:
        rows = session.scalars(select(NotificationChannel))
        return {row.channel: (row.enabled, dict(row.settings)) for row in rows}


def trail(app: Flask) -> list[tuple[str | None, str, str]]:
    with app.extensions["formwork"].session_factory() as session:
        events = admin_events(session, TrailQuery(action="channel")).events
        return [(e.actor, e.action, e.target) for e in reversed(events)]


def save(admin: FlaskClient, channel: str, **form: str) -> TestResponse:
    return post(admin, f"{PAGE}channels/{channel}", form)


def test_the_page_shows_a_card_per_channel_and_a_tab_in_both_languages(sign_in: SignIn) -> None:
    admin = sign_in("admin")
    page = admin.get(PAGE)
    assert page.status_code == 200
    for channel in ("email", "wecom", "dingtalk", "feishu"):
        assert f'data-channel="{channel}"' in page.text
    assert page.text.count('data-state="off"') == 4
    assert 'href="/admin/notifications/" aria-current="page"' in page.text
    assert "FORMWORK_SMTP_HOST" in page.text  # e-mail says what the server lacks
    zh = admin.get(PAGE, headers=ZH)
    assert "钉钉机器人" in zh.text and "发送测试消息" in zh.text and ">通知</a>" in zh.text


def test_an_administrator_sets_up_a_robot_whose_secret_is_never_shown_again(
    app: Flask, sign_in: SignIn, receiver: Receiver
) -> None:
    admin = sign_in("admin")
    saved = save(
        admin, "feishu", url=receiver.url, secret="SEC0123456789wxyz", allow_private="1",
        enabled="1",
    )  # fmt: skip
    assert saved.status_code == 303
    enabled, settings = channels(app)["feishu"]
    assert enabled and settings["url"] == receiver.url and settings["allow_private"] is True
    page = admin.get(PAGE)
    assert "SEC0123456789wxyz" not in page.text and "••••wxyz" in page.text
    assert "private address allowed" in page.text
    again = save(admin, "feishu", url=receiver.url, allow_private="1")  # secret left empty
    assert again.status_code == 303
    assert channels(app)["feishu"] == (False, settings)
    assert trail(app) == [("admin", "channel.save", "channel feishu")] * 2


@pytest.mark.parametrize(
    ("channel", "form", "field", "english", "chinese"),
    [
        ("feishu", {"url": "http://93.184.216.34/hook", "enabled": "1"}, "url",
         "starts with https://", "https://"),
        ("wecom", {"url": "https://10.1.2.3/hook", "enabled": "1"}, "url",
         "private or link-local", "私有"),
        ("dingtalk", {"url": "", "enabled": "1"}, "url", "Enter the URL", "URL"),
        ("email", {"enabled": "1"}, "enabled", "FORMWORK_SMTP_HOST", "无法开启电子邮件"),
    ],
)  # fmt: skip
def test_each_wrong_input_is_refused_at_its_field_in_both_languages(
    app: Flask,
    sign_in: SignIn,
    channel: str,
    form: dict[str, str],
    field: str,
    english: str,
    chinese: str,
) -> None:
    admin = sign_in("admin")
    refused = save(admin, channel, **form)
    assert refused.status_code == 422
    error = refused.text.split(f'id="{channel}-{field}-error" data-error="{field}">', 1)[1]
    assert english in error.split("</p>", 1)[0]
    assert 'aria-invalid="true"' in refused.text
    zh = post(admin, f"{PAGE}channels/{channel}", form, headers=ZH)
    assert zh.status_code == 422
    error = zh.text.split(f'id="{channel}-{field}-error" data-error="{field}">', 1)[1]
    assert chinese in error.split("</p>", 1)[0]
    assert channels(app) == {} and trail(app) == []


def test_a_hostile_url_is_refused_and_shown_back_as_text(app: Flask, sign_in: SignIn) -> None:
    admin = sign_in("admin")
    hostile = 'https://x.example/"><script>alert(1)</script>{{7*7}}'
    refused = save(admin, "wecom", url=hostile, enabled="1")
    assert refused.status_code == 422 and 'data-error="url"' in refused.text
    assert "<script>alert(1)</script>" not in refused.text
    assert "&lt;script&gt;" in refused.text and "{{7*7}}" in refused.text
    assert channels(app) == {}


def test_a_test_message_reaches_the_robot_and_a_failure_is_said(
    app: Flask, sign_in: SignIn, receiver: Receiver
) -> None:
    admin = sign_in("admin")
    save(admin, "dingtalk", url=receiver.url, allow_private="1", enabled="1")
    receiver.bodies += [OK, b'{"errcode": 310000, "errmsg": "keywords not in content"}']
    sent = post(admin, f"{PAGE}channels/dingtalk/test", follow_redirects=True)
    assert sent.status_code == 200 and len(receiver.received) == 1
    assert "a test message was sent" in sent.text
    _headers, body = receiver.received[0]
    assert json.loads(body)["msgtype"] in ("markdown", "actionCard")
    assert "Formwork" in body.decode("utf-8")
    failed = post(admin, f"{PAGE}channels/dingtalk/test", headers=ZH, follow_redirects=True)
    assert "测试失败" in failed.text and "310000" in failed.text
    assert len(receiver.received) == 2


def test_an_email_test_goes_to_the_administrators_own_address(
    app: Flask, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = sign_in("admin")
    with running_smtp() as smtp:
        monkeypatch.setenv("FORMWORK_SMTP_HOST", smtp.host)
        monkeypatch.setenv("FORMWORK_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("FORMWORK_SMTP_TLS", "none")
        monkeypatch.setenv("FORMWORK_SMTP_FROM", "Formwork <fw@example.com>")
        page = admin.get(PAGE)
        assert f"{smtp.host}:{smtp.port}" in page.text and "fw@example.com" in page.text
        answer = post(admin, f"{PAGE}channels/email/test", follow_redirects=True)
        assert "no test was sent" in answer.text and smtp.received == []  # no address yet
        with transaction(app.extensions["formwork"].session_factory) as session:
            user_id = accounts.get_user(session, "admin").id
            save_preferences(session, user_id, Preferences(email="boss@example.com", language="en"))
        answer = post(admin, f"{PAGE}channels/email/test", follow_redirects=True)
        assert "a test message was sent to boss@example.com" in answer.text
        (mail,) = smtp.received
        assert mail.rcpt_tos == ["boss@example.com"]
        assert mail.message["Subject"] == "Formwork: test message"


def _one_failed_send(app: Flask) -> int:
    """A comment on a project told to the manager over DingTalk, its send given up."""
    record = project_id(app)
    with transaction(app.extensions["formwork"].session_factory) as session:
        save_channel(
            session, "dingtalk", enabled=True, url="https://10.0.0.9/r", allow_private=True, by=None
        )
        manager = accounts.get_user(session, "manager")
        save_preferences(session, manager.id, Preferences(channels=("dingtalk",)))
        notify(
            session, "comment", ["manager"], key="comment:1", module="project",
            record_id=record, actor="admin", params={"title": "P"},
        )  # fmt: skip
        send_id = session.scalars(select(NotificationSend.id)).one()
        session.execute(
            update(NotificationSend)
            .where(NotificationSend.id == send_id)
            .values(status="failed", attempts=8, last_error="<b>refused</b> {{7*7}}")
        )
    return send_id


def test_the_log_shows_a_failed_send_filters_it_and_sends_it_again(
    app: Flask, sign_in: SignIn
) -> None:
    send_id = _one_failed_send(app)
    admin = sign_in("admin")
    page = admin.get(PAGE)
    assert f'data-send="{send_id}" data-status="failed"' in page.text
    assert "manager" in page.text and "&lt;b&gt;refused&lt;/b&gt; {{7*7}}" in page.text
    assert "/m/project/r/" in page.text
    assert f'data-send="{send_id}"' not in admin.get(f"{PAGE}?status=sent").text
    assert f'data-send="{send_id}"' not in admin.get(f"{PAGE}?channel=email").text
    assert f'data-send="{send_id}"' in admin.get(f"{PAGE}?status=failed&channel=dingtalk").text
    assert admin.get(f"{PAGE}?status=nonsense&page=abc").status_code == 200
    again = post(admin, f"{PAGE}sends/{send_id}/retry?status=failed")
    assert again.status_code == 303
    with app.extensions["formwork"].session_factory() as session:
        assert session.get_one(NotificationSend, send_id).status == "pending"
    zh = admin.get(PAGE, headers=ZH).text
    assert f'data-send="{send_id}" data-status="pending"' in zh
    assert 'data-status="pending">等待' in zh


def test_a_foreman_gets_403_everywhere(app: Flask, sign_in: SignIn) -> None:
    send_id = _one_failed_send(app)
    foreman = sign_in("foreman")
    assert foreman.get(PAGE).status_code == 403
    for path in ("channels/dingtalk", "channels/dingtalk/test", f"sends/{send_id}/retry"):
        assert post(foreman, PAGE + path, {"enabled": "1", "url": ""}).status_code == 403
    assert channels(app)["dingtalk"][1]["url"] == "https://10.0.0.9/r"
    assert trail(app) == [(None, "channel.save", "channel dingtalk")]


def test_sending_again_an_unknown_send_is_not_found(sign_in: SignIn) -> None:
    admin = sign_in("admin")
    assert post(admin, f"{PAGE}sends/987654/retry").status_code == 404
    assert post(admin, f"{PAGE}channels/pager").status_code == 404
