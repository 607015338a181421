"""Notifications in the admin console, continued: a send an administrator sends again is in
the audit trail (in English and Chinese, once, only when it changed something); a test
message links to FORMWORK_BASE_URL, not to the address the page was reached by; the page
says how long a test may keep it waiting."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from engine.admin_log import TrailQuery, admin_events
from engine.db import transaction
from engine.models_notifications import NotificationSend
from tests.receiver import Receiver, running_receiver
from tests.web.helpers import post
from tests.web.test_admin_notifications import OK, PAGE, ZH, _one_failed_send, save

SignIn = Callable[[str], FlaskClient]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def resends(app: Flask) -> list[tuple[str | None, str, object, object]]:
    with app.extensions["formwork"].session_factory() as session:
        events = admin_events(session, TrailQuery(action="notification")).events
        return [(e.actor, e.target, e.before, e.after) for e in reversed(events)]


def test_sending_again_is_kept_in_the_audit_trail(app: Flask, sign_in: SignIn) -> None:
    send_id = _one_failed_send(app)
    foreman = sign_in("foreman")
    assert post(foreman, f"{PAGE}sends/{send_id}/retry").status_code == 403
    assert resends(app) == []
    admin = sign_in("admin")
    assert post(admin, f"{PAGE}sends/{send_id}/retry").status_code == 303
    assert post(admin, f"{PAGE}sends/{send_id}/retry").status_code == 303  # waiting: no row
    target = f"send {send_id}: dingtalk to manager"
    assert resends(app) == [
        ("admin", target, {"status": "failed", "attempts": 8}, {"status": "pending", "attempts": 8})
    ]
    page = admin.get("/admin/audit/?action=notification")
    assert page.status_code == 200
    assert "Notification sent again" in page.text and target in page.text
    assert "Every notification sent again" in page.text  # the action filter's group
    assert "Status:" in page.text and "<del>failed</del>" in page.text
    assert "<ins>pending</ins>" in page.text
    zh = admin.get("/admin/audit/?action=notification.resend", headers=ZH).text
    assert "通知已重新发送" in zh and "所有重新发送的通知" in zh and target in zh

    with transaction(app.extensions["formwork"].session_factory) as session:
        session.execute(  # dropped at its send (the manager lost the record, say)
            update(NotificationSend).where(NotificationSend.id == send_id).values(status="dropped")
        )
    assert post(admin, f"{PAGE}sends/{send_id}/retry").status_code == 303
    assert [before for _, _, before, _ in resends(app)][-1] == {"status": "dropped", "attempts": 8}
    assert post(admin, f"{PAGE}sends/{2**70}/retry").status_code == 404
    assert len(resends(app)) == 2


def test_a_test_message_links_to_the_base_url(
    app: Flask, sign_in: SignIn, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMWORK_BASE_URL", "https://formwork.example.com/")
    admin = sign_in("admin")
    save(admin, "dingtalk", url=receiver.url, allow_private="1", enabled="1")
    receiver.bodies += [OK]
    sent = post(admin, f"{PAGE}channels/dingtalk/test", follow_redirects=True)
    assert "a test message was sent" in sent.text
    ((_headers, body),) = receiver.received
    text = json.dumps(json.loads(body), ensure_ascii=False)
    assert "https://formwork.example.com/admin/notifications/" in text
    assert "localhost" not in text

    monkeypatch.setenv("FORMWORK_BASE_URL", "ftp://formwork.example.com")
    failed = post(admin, f"{PAGE}channels/dingtalk/test", follow_redirects=True)
    assert "the test failed" in failed.text and "FORMWORK_BASE_URL=" in failed.text
    assert len(receiver.received) == 1  # nothing sent with a link that cannot be right


def test_the_page_says_how_long_a_test_may_wait(
    sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMWORK_SMTP_TIMEOUT", "25")
    admin = sign_in("admin")
    page = admin.get(PAGE).text
    assert "about 15 seconds for a robot" in page and "FORMWORK_SMTP_TIMEOUT (25 s)" in page
    assert "few seconds" not in page
    zh = admin.get(PAGE, headers=ZH).text
    assert "机器人最多约 15 秒" in zh and "FORMWORK_SMTP_TIMEOUT（25 秒）" in zh
    monkeypatch.setenv("FORMWORK_SMTP_TIMEOUT", "soon")  # unreadable: the default is said
    assert "FORMWORK_SMTP_TIMEOUT (10 s)" in admin.get(PAGE).text
