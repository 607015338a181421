"""Webhooks as an administrator runs them: pause and resume, remove, a test ping to a real
receiver, one event sent again, the log a page at a time, and the trail of each change."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from engine import webhooks
from engine.actor import SYSTEM
from engine.admin_log import TrailQuery, admin_events
from engine.db import transaction
from engine.errors import NotFound
from engine.models import WebhookDelivery, WebhookMessage
from engine.packs import import_pack
from engine.records import create_record
from tests.engine.workflow_pack import workflow_pack
from tests.receiver import running_receiver


def later() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


def ok(url, body, headers, allow_private):  # type: ignore[no-untyped-def]
    return webhooks.Answer(200, "ok")


@pytest.fixture
def hook_id(session_factory) -> int:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        import_pack(session, workflow_pack("any"))
        hook = webhooks.add_webhook(
            session, "https://erp.example.com/in", ["created"], module="project", by="ann"
        )
        return hook.id


def project(session_factory, code: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        create_record(session, "project", {"code": code, "name": code}, SYSTEM)


def statuses(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        rows = session.scalars(select(WebhookMessage).order_by(WebhookMessage.id))
        return [m.status for m in rows]


def trail(session_factory) -> list[tuple[str | None, str, str]]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        events = admin_events(session, TrailQuery(action="webhook")).events
        return [(e.actor, e.action, e.target) for e in reversed(events)]


def test_a_paused_webhook_holds_its_events_and_sends_them_on_resume(session_factory, hook_id):
    with transaction(session_factory) as session:
        assert not webhooks.pause_webhook(session, hook_id, by="ann").active
    project(session_factory, "P1")
    report = webhooks.deliver_due(session_factory, now=later(), sender=ok)
    assert report.delivered == [] and statuses(session_factory) == ["pending"]
    with session_factory() as session:
        (held,) = session.scalars(select(WebhookMessage))
        assert held.attempts == 0  # skipped, not tried
    with transaction(session_factory) as session:
        assert webhooks.resume_webhook(session, hook_id, by="ann").active
    assert len(webhooks.deliver_due(session_factory, now=later(), sender=ok).delivered) == 1
    assert statuses(session_factory) == ["delivered"]
    assert trail(session_factory) == [
        ("ann", "webhook.add", f"webhook {hook_id}"),
        ("ann", "webhook.pause", f"webhook {hook_id}"),
        ("ann", "webhook.resume", f"webhook {hook_id}"),
    ]


def test_pausing_twice_changes_and_logs_nothing_more(session_factory, hook_id):
    for _ in range(2):
        with transaction(session_factory) as session:
            webhooks.pause_webhook(session, hook_id, by=None)
    assert [a for _, a, _ in trail(session_factory)] == ["webhook.add", "webhook.pause"]


def test_a_removed_webhook_is_gone_for_actions_but_its_log_stays(session_factory, hook_id):
    project(session_factory, "P1")
    with transaction(session_factory) as session:
        webhooks.remove_webhook(session, hook_id, by="ann")
        assert webhooks.list_webhooks(session) == []
        assert [w.id for w in webhooks.list_webhooks(session, removed=True)] == [hook_id]
    assert statuses(session_factory) == ["cancelled"]
    project(session_factory, "P2")
    assert statuses(session_factory) == ["cancelled"]  # nothing more is queued
    for act in (webhooks.pause_webhook, webhooks.resume_webhook, webhooks.remove_webhook):
        with pytest.raises(NotFound), transaction(session_factory) as session:
            act(session, hook_id, by="ann")
    with session_factory() as session:
        assert webhooks.message_log(session, hook_id).total == 1
    (removed,) = [t for t in trail(session_factory) if t[1] == "webhook.remove"]
    assert removed[0] == "ann"


def test_a_ping_reaches_a_real_receiver_signed_and_is_logged(session_factory):
    with transaction(session_factory) as session:
        import_pack(session, workflow_pack("any"))
    with running_receiver() as receiver:
        with transaction(session_factory) as session:
            hook = webhooks.add_webhook(session, receiver.url, ["created"], allow_private=True)
            hook_id, secret = hook.id, hook.secret
        receiver.statuses = [200, 503]
        first = webhooks.send_ping(session_factory, hook_id, by="ann")
        second = webhooks.send_ping(session_factory, hook_id, by="ann")
    assert first.answer.status == 200 and second.answer.status == 503
    headers, body = receiver.received[0]
    assert headers["X-Formwork-Event"] == "ping"
    assert webhooks.verify_signature(secret, headers["X-Formwork-Signature"], body)
    assert json.loads(body)["actor"] == "ann"
    with session_factory() as session:
        page = webhooks.message_log(session, hook_id)
        assert [(r.message.status, r.last.status_code) for r in page.rows] == [  # type: ignore[union-attr]
            ("failed", 503),
            ("delivered", 200),
        ]
    # a ping is not retried by the worker
    assert webhooks.deliver_due(session_factory, now=later(), sender=ok).delivered == []


def test_a_ping_to_a_private_address_is_refused_by_the_guard(session_factory, monkeypatch):
    with transaction(session_factory) as session:
        import_pack(session, workflow_pack("any"))
        hook = webhooks.add_webhook(session, "https://erp.example.com/in", ["created"])
        hook_id = hook.id
    # the name now resolves to a loopback address: the ping must not connect there
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("127.0.0.1", 443))])
    result = webhooks.send_ping(session_factory, hook_id, by="ann")
    assert result.answer.status is None and "refused" in (result.answer.error or "")
    with session_factory() as session:
        (attempt,) = session.scalars(select(WebhookDelivery))
        assert attempt.status_code is None and "refused" in (attempt.error or "")


def test_redelivering_puts_a_finished_event_back_in_the_queue(session_factory, hook_id):
    project(session_factory, "P1")
    webhooks.deliver_due(session_factory, now=later(), sender=ok)
    with session_factory() as session:
        (message,) = session.scalars(select(WebhookMessage))
        message_id = message.id
    with transaction(session_factory) as session:
        again = webhooks.redeliver(session, hook_id, message_id, by="ann")
        assert (again.status, again.attempts) == ("pending", 1)
    with transaction(session_factory) as session:  # still waiting: nothing to do, no event
        webhooks.redeliver(session, hook_id, message_id, by="ann")
    assert len(webhooks.deliver_due(session_factory, now=later(), sender=ok).delivered) == 1
    with session_factory() as session:
        (message,) = session.scalars(select(WebhookMessage))
        assert (message.status, message.attempts) == ("delivered", 2)
    assert [a for _, a, _ in trail(session_factory)].count("webhook.redeliver") == 1
    with pytest.raises(NotFound), transaction(session_factory) as session:
        webhooks.redeliver(session, hook_id, message_id + 1, by="ann")


def test_the_log_comes_a_page_at_a_time_newest_first(session_factory, hook_id):
    for n in range(5):
        project(session_factory, f"P{n}")
    with session_factory() as session:
        first = webhooks.message_log(session, hook_id, page=1, per_page=2)
        last = webhooks.message_log(session, hook_id, page=3, per_page=2)
    assert (first.total, first.pages, len(first.rows), len(last.rows)) == (5, 3, 2, 1)
    assert first.rows[0].message.id > first.rows[1].message.id > last.rows[0].message.id
    assert first.rows[0].last is None  # not tried yet


def test_webhooks_stopped_before_pausing_existed_count_as_removed(tmp_path):
    """Before revision 0007 an inactive webhook was a removed one; the upgrade says so."""
    from alembic import command
    from sqlalchemy import text

    from engine.db import make_engine
    from engine.migrate import alembic_config, upgrade_database

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        for url, active in (("https://a.example.com/", True), ("https://b.example.com/", False)):
            connection.execute(
                text(
                    "INSERT INTO webhooks (url, events, secret, allow_private, active, created_at)"
                    " VALUES (:url, '[\"created\"]', 's', false, :active, '2026-01-02 03:04:05')"
                ),
                {"url": url, "active": active},
            )
    upgrade_database(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT url, removed_at FROM webhooks ORDER BY id")).all()
    engine.dispose()
    assert [(url, removed is not None) for url, removed in rows] == [
        ("https://a.example.com/", False),
        ("https://b.example.com/", True),
    ]
