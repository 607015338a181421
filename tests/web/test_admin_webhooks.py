"""Webhooks in the admin console: an administrator registers one (the secret shown once),
test-sends to a real receiver, pauses, resumes, reads the log, sends an event again and
removes it after confirming; a refused registration stores nothing; everything is in the
admin trail; a foreman gets a plain 403 everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine import webhooks
from engine.admin_log import TrailQuery, admin_events
from engine.db import transaction
from engine.models import Webhook, WebhookMessage
from tests.receiver import Receiver, running_receiver
from tests.web.helpers import create_record, labour_data, post, project_id, sign_in_as

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def stored(app: Flask) -> list[Webhook]:
    with app.extensions["formwork"].session_factory() as session:
        hooks = list(session.scalars(select(Webhook).order_by(Webhook.id)))
        session.expunge_all()
        return hooks


def trail(app: Flask) -> list[tuple[str | None, str]]:
    with app.extensions["formwork"].session_factory() as session:
        events = admin_events(session, TrailQuery(action="webhook")).events
        return [(e.actor, e.action) for e in reversed(events)]


def register(admin: FlaskClient, url: str, *events: str, **extra: str):  # type: ignore[no-untyped-def]
    return post(admin, "/admin/webhooks/new", {"url": url, "events": list(events), **extra})


def test_an_administrator_registers_a_webhook_and_sees_the_secret_once(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    admin = sign_in("admin")
    form = admin.get("/admin/webhooks/new")
    assert form.status_code == 200 and 'name="events"' in form.text
    created = register(
        admin, "https://erp.example.com/in", "created", "transition", module="labour_tally"
    )
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    (hook,) = stored(app)
    assert (hook.url, hook.module, hook.events) == (
        "https://erp.example.com/in",
        "labour_tally",
        ["created", "transition"],
    )
    assert hook.created_by == "admin" and hook.active
    assert hook.secret in created.text
    listed = admin.get("/admin/webhooks/")
    assert "https://erp.example.com/in" in listed.text and hook.secret not in listed.text
    assert 'data-state="active"' in listed.text
    assert trail(app) == [("admin", "webhook.add")]


def test_a_refused_registration_shows_each_problem_beside_its_input(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    admin = sign_in("admin")
    refused = register(admin, "http://192.168.1.9/in", "exploded", module="nope")
    assert refused.status_code == 422
    for name in ("url", "events", "module"):
        assert f'data-error="{name}"' in refused.text
    assert "allow_private" in refused.text
    assert 'value="http://192.168.1.9/in"' in refused.text  # what was typed stays
    assert stored(app) == [] and trail(app) == []
    nothing = register(admin, "ftp://erp.example.com/")
    assert nothing.status_code == 422 and 'data-error="events"' in nothing.text
    chinese = post(
        admin, "/admin/webhooks/new", {"url": "http://10.0.0.1/", "events": "created"}, headers=ZH
    )
    assert chinese.status_code == 422 and "私有" in chinese.text
    assert stored(app) == []


def test_test_send_pause_resume_and_send_again_with_a_real_receiver(
    app: Flask, sign_in: Callable[[str], FlaskClient], receiver: Receiver
) -> None:
    admin = sign_in("admin")
    assert register(admin, receiver.url, "created", allow_private="1").status_code == 201
    (hook,) = stored(app)
    receiver.statuses = [200, 503]
    sent = post(admin, f"/admin/webhooks/{hook.id}/test", follow_redirects=True)
    assert sent.status_code == 200 and "answered 200" in sent.text
    assert receiver.received[0][0]["X-Formwork-Event"] == "ping"
    failed = post(admin, f"/admin/webhooks/{hook.id}/test", follow_redirects=True)
    assert "answered 503" in failed.text
    assert 'data-status="failed"' in failed.text and 'data-code="503"' in failed.text

    assert post(admin, f"/admin/webhooks/{hook.id}/pause").status_code == 303
    assert not stored(app)[0].active
    foreman_record(app)  # the foreman records while the webhook is paused
    with app.extensions["formwork"].session_factory() as session:
        waiting = session.scalars(
            select(WebhookMessage).where(WebhookMessage.event == "created")
        ).one()
        assert waiting.status == "pending"
    assert webhooks.deliver_due(app.extensions["formwork"].session_factory).delivered == []
    assert post(admin, f"/admin/webhooks/{hook.id}/resume").status_code == 303
    assert stored(app)[0].active
    assert len(webhooks.deliver_due(app.extensions["formwork"].session_factory).delivered) == 1

    log = admin.get(f"/admin/webhooks/{hook.id}").text
    assert f'href="/m/labour_tally/r/{waiting.record_id}"' in log
    again = post(admin, f"/admin/webhooks/{hook.id}/events/{waiting.id}/redeliver")
    assert again.status_code == 303
    with app.extensions["formwork"].session_factory() as session:
        message = session.get(WebhookMessage, waiting.id)
        assert message is not None and (message.status, message.attempts) == ("pending", 1)
    assert trail(app) == [
        ("admin", "webhook.add"),
        ("admin", "webhook.pause"),
        ("admin", "webhook.resume"),
        ("admin", "webhook.redeliver"),
    ]


def foreman_record(app: Flask) -> str:
    return create_record(app, "labour_tally", "foreman", labour_data(project_id(app)))


def test_removing_asks_first_then_stops_for_good(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    admin = sign_in("admin")
    register(admin, "https://erp.example.com/in", "created")
    (hook,) = stored(app)
    confirm = admin.get(f"/admin/webhooks/{hook.id}/remove")
    assert confirm.status_code == 200 and 'name="confirm" value="yes"' in confirm.text
    unconfirmed = post(admin, f"/admin/webhooks/{hook.id}/remove")
    assert unconfirmed.status_code == 200 and stored(app)[0].removed_at is None
    removed = post(admin, f"/admin/webhooks/{hook.id}/remove", {"confirm": "yes"})
    assert removed.status_code == 303
    assert stored(app)[0].removed_at is not None and not stored(app)[0].active
    listed = admin.get("/admin/webhooks/").text
    assert f'data-removed="{hook.id}"' in listed and f'data-webhook="{hook.id}"' not in listed
    assert admin.get(f"/admin/webhooks/{hook.id}").status_code == 200  # the log stays
    assert post(admin, f"/admin/webhooks/{hook.id}/pause").status_code == 404
    assert trail(app) == [("admin", "webhook.add"), ("admin", "webhook.remove")]


def test_the_webhook_pages_speak_chinese(app: Flask, sign_in: Callable[[str], FlaskClient]) -> None:
    admin = sign_in("admin")
    register(admin, "https://erp.example.com/in", "created")
    index = admin.get("/admin/webhooks/", headers=ZH).text
    assert "注册" in index and "启用" in index
    form = admin.get("/admin/webhooks/new", headers=ZH).text
    assert "记录已创建" in form and "所有模块" in form
    (hook,) = stored(app)
    assert "投递记录" in admin.get(f"/admin/webhooks/{hook.id}", headers=ZH).text
    assert "删除" in admin.get(f"/admin/webhooks/{hook.id}/remove", headers=ZH).text


def test_paging_the_log(app: Flask, sign_in: Callable[[str], FlaskClient]) -> None:
    admin = sign_in("admin")
    register(admin, "https://erp.example.com/in", "created")
    (hook,) = stored(app)
    for _ in range(27):
        foreman_record(app)
    first = admin.get(f"/admin/webhooks/{hook.id}").text
    second = admin.get(f"/admin/webhooks/{hook.id}?page=2").text
    assert first.count("data-message=") == 25 and second.count("data-message=") == 2
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert admin.get(f"/admin/webhooks/{hook.id}?page=x").status_code == 200
    beyond = admin.get(f"/admin/webhooks/{hook.id}?page={2**63 - 1}")
    assert beyond.status_code == 200 and beyond.text.count("data-message=") == 2
    assert admin.get(f"/admin/webhooks/{hook.id}/events/{10**30}/redeliver").status_code == 405
    huge = post(admin, f"/admin/webhooks/{hook.id}/events/{10**30}/redeliver")
    assert huge.status_code == 404


ROUTES = [
    ("GET", "/admin/webhooks/"),
    ("GET", "/admin/webhooks/new"),
    ("POST", "/admin/webhooks/new"),
    ("GET", "/admin/webhooks/1"),
    ("POST", "/admin/webhooks/1/pause"),
    ("POST", "/admin/webhooks/1/resume"),
    ("GET", "/admin/webhooks/1/remove"),
    ("POST", "/admin/webhooks/1/remove"),
    ("POST", "/admin/webhooks/1/test"),
    ("POST", "/admin/webhooks/1/events/1/redeliver"),
]


def test_a_foreman_gets_a_plain_403_on_every_webhook_route(app: Flask) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        webhooks.add_webhook(session, "https://erp.example.com/in", ["created"], by="admin")
    before = [(h.url, h.active, h.removed_at) for h in stored(app)]
    foreman = app.test_client()
    assert sign_in_as(foreman, "foreman").status_code == 302
    for method, url in ROUTES:
        if method == "GET":
            response = foreman.get(url)
        else:
            data = {"url": "https://x.example.com/", "events": "created", "confirm": "yes"}
            response = post(foreman, url, data)
        assert response.status_code == 403, (method, url)
        assert "erp.example.com" not in response.text and "whsec_" not in response.text
    assert [(h.url, h.active, h.removed_at) for h in stored(app)] == before
    assert trail(app) == [("admin", "webhook.add")]
    visitor = app.test_client().get("/admin/webhooks/")
    assert visitor.status_code == 302 and "/sign-in" in visitor.headers["Location"]


def test_forms_without_the_csrf_token_are_refused(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    admin = sign_in("admin")
    forged = admin.post("/admin/webhooks/new", data={"url": "https://a.example.com/"})
    assert forged.status_code == 400 and stored(app) == []


def test_a_ping_the_address_guard_stops_says_why_in_chinese(
    app: Flask, sign_in: Callable[[str], FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = sign_in("admin")
    register(admin, "https://erp.example.com/in", "created")
    (hook,) = stored(app)
    # the name now resolves to a private address: the ping must not go there
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("10.0.0.7", 443))])
    page = post(admin, f"/admin/webhooks/{hook.id}/test", headers=ZH, follow_redirects=True)
    assert "没有响应" in page.text and "私有" in page.text and "10.0.0.7" in page.text
    assert 'data-status="failed"' in page.text
