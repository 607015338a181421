"""Webhooks in the engine: the outbox is written with the change, signed, retried, guarded."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine import webhooks
from engine.actor import SYSTEM
from engine.db import transaction
from engine.errors import ValidationFailed
from engine.models import WebhookDelivery, WebhookMessage
from engine.packs import import_pack
from engine.records import create_record, delete_record, update_record
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.workflow_pack import workflow_pack


def soon() -> dt.datetime:
    """A moment just after everything the test has queued."""
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


def labour(session, project_id, who):
    return create_record(
        session,
        "labour",
        {
            "project": project_id,
            "date": "2026-11-02",
            "worker": "Lee",
            "items": [{"task": "rebar", "hours": "7.5", "rate": "40.00"}],
        },
        who,
    )


@pytest.fixture
def site(session):
    import_pack(session, workflow_pack("any"))
    lee = make_user(session, "lee", "foreman")
    zhao = make_user(session, "zhao", "site_manager")
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    return {"lee": lee, "zhao": zhao, "project": project}


def messages(session, event=None):
    statement = select(WebhookMessage).order_by(WebhookMessage.id)
    if event:
        statement = statement.where(WebhookMessage.event == event)
    return list(session.scalars(statement))


def test_every_kind_of_change_queues_its_event_with_the_record(session, site):
    hook = webhooks.add_webhook(
        session, "https://erp.example.com/hooks", webhooks.EVENTS, module="labour"
    )
    assert hook.secret.startswith("whsec_") and len(hook.secret) > 30
    record = labour(session, site["project"].id, site["lee"])
    record = update_record(session, "labour", record.id, 1, {"worker": "Lee Wei"}, site["lee"])
    apply_transition(session, "labour", record.id, "submit", site["lee"])
    events = [m.event for m in messages(session)]
    assert events == ["created", "updated", "transition", "state_entered"]

    created = json.loads(messages(session, "created")[0].payload)
    assert created["event"] == "created" and created["actor"] == "lee"
    assert created["record"]["id"] == record.id and created["record"]["state"] == "draft"
    # exact numbers in the payload text, as the API writes them
    assert '"rate":40.00' in messages(session, "created")[0].payload
    updated = json.loads(messages(session, "updated")[0].payload)
    assert {"field": "worker", "old": "Lee", "new": "Lee Wei"} in updated["changes"]
    moved = json.loads(messages(session, "transition")[0].payload)
    assert (moved["transition"], moved["from"], moved["to"]) == ("submit", "draft", "submitted")
    assert moved["record"]["state"] == "submitted" and moved["record"]["version"] == 3


def test_a_deleted_record_is_sent_as_it_was(session, site):
    webhooks.add_webhook(session, "https://erp.example.com/h", ["deleted"])  # every module
    record = labour(session, site["project"].id, site["lee"])
    delete_record(session, "labour", record.id, site["lee"])
    (message,) = messages(session)
    payload = json.loads(message.payload, parse_float=Decimal)
    assert payload["record"]["data"]["worker"] == "Lee"
    assert payload["record"]["data"]["hours"] == Decimal("7.5")


def test_only_matching_active_webhooks_get_events(session, site):
    webhooks.add_webhook(session, "https://a.example.com/", ["created"], module="project")
    other = webhooks.add_webhook(session, "https://b.example.com/", ["updated"], module="labour")
    webhooks.remove_webhook(session, other.id, by=None)
    labour(session, site["project"].id, site["lee"])
    assert messages(session) == []


def test_the_outbox_row_exists_only_if_the_change_does(session_factory):
    with transaction(session_factory) as session:
        import_pack(session, workflow_pack("any"))
        lee = make_user(session, "lee", "foreman")
        project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
        webhooks.add_webhook(session, "https://erp.example.com/", ["created"])
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        labour(session, project.id, lee)
        assert len(messages(session)) == 1
        raise RuntimeError("the request failed after the write")
    with session_factory() as session:
        assert messages(session) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.20/hook",
        "http://172.16.3.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_loopback_private_and_link_local_targets_are_refused(session, url):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.add_webhook(session, url, ["created"])
    assert refused.value.problems[0].path == "/url"
    assert "allow_private" in refused.value.problems[0].message
    webhooks.add_webhook(session, url, ["created"], allow_private=True)  # said explicitly


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "https://user:pw@example.com/", "x"]
)
def test_malformed_targets_are_refused(session, url):
    with pytest.raises(ValidationFailed):
        webhooks.add_webhook(session, url, ["created"], allow_private=True)


def test_unknown_events_and_modules_are_refused(session, site):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.add_webhook(session, "https://e.example.com/", ["made", "created"], module="nope")
    assert {p.path for p in refused.value.problems} == {"/events/0", "/module"}


def test_delivery_refuses_a_private_address_even_if_registered_as_public(session):
    answer = webhooks.send("http://127.0.0.1:9/x", b"{}", {}, False)
    assert answer.status is None and answer.error.startswith("refused")


def test_signatures_verify_and_expire():
    body = b'{"event":"created"}'
    header = webhooks.signature("whsec_k", 1_800_000_000, body)
    assert header.startswith("t=1800000000,v1=")
    assert webhooks.verify_signature("whsec_k", header, body, now=1_800_000_010)
    assert not webhooks.verify_signature("whsec_k", header, body + b" ", now=1_800_000_010)
    assert not webhooks.verify_signature("other", header, body, now=1_800_000_010)
    assert not webhooks.verify_signature("whsec_k", header, body, now=1_800_001_000)


def test_failed_deliveries_back_off_then_give_up(session_factory):
    with transaction(session_factory) as session:
        import_pack(session, workflow_pack("any"))
        lee = make_user(session, "lee", "foreman")
        project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
        hook = webhooks.add_webhook(session, "https://erp.example.com/", ["created"])
        labour(session, project.id, lee)
        secret = hook.secret
    sent = []

    def failing(url, body, headers, allow_private):
        sent.append((url, body, headers))
        return webhooks.Answer(503, "busy")

    now = soon()
    first = webhooks.deliver_due(session_factory, now=now, sender=failing, clock=lambda: 1e9)
    assert len(first.retrying) == 1 and len(sent) == 1
    url, body, headers = sent[0]
    assert headers["X-Formwork-Event"] == "created"
    assert webhooks.verify_signature(secret, headers["X-Formwork-Signature"], body, now=1e9)
    # not due again before the backoff has passed
    assert (
        webhooks.deliver_due(
            session_factory, now=now + dt.timedelta(seconds=29), sender=failing
        ).retrying
        == []
    )
    waits = []
    for attempt in range(2, webhooks.MAX_ATTEMPTS + 1):
        now = now + webhooks.backoff(attempt - 1)
        waits.append(webhooks.backoff(attempt - 1).total_seconds())
        report = webhooks.deliver_due(session_factory, now=now, sender=failing)
        assert len(report.retrying if attempt < webhooks.MAX_ATTEMPTS else report.failed) == 1
    assert waits[:4] == [30, 60, 120, 240]
    assert max(waits) <= webhooks.MAX_BACKOFF
    with session_factory() as session:
        (message,) = messages(session)
        assert message.status == "failed" and message.attempts == webhooks.MAX_ATTEMPTS
        log = list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        assert [d.attempt for d in log] == list(range(1, webhooks.MAX_ATTEMPTS + 1))
        assert {d.status_code for d in log} == {503}
        assert log[0].response_excerpt == "busy" and "503" in log[0].error
    assert (
        webhooks.deliver_due(session_factory, now=now + dt.timedelta(days=9), sender=failing).failed
        == []
    )


def test_a_delivered_event_is_sent_once(session_factory):
    with transaction(session_factory) as session:
        import_pack(session, workflow_pack("any"))
        webhooks.add_webhook(session, "https://erp.example.com/", ["created"])
        create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    calls = []

    def ok(url, body, headers, allow_private):
        calls.append(body)
        return webhooks.Answer(204)

    assert len(webhooks.deliver_due(session_factory, now=soon(), sender=ok).delivered) == 1
    assert (
        webhooks.deliver_due(
            session_factory, now=soon() + dt.timedelta(hours=1), sender=ok
        ).delivered
        == []
    )
    assert len(calls) == 1
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
        (delivery, message) = webhooks.list_deliveries(session)[0]
        assert delivery.status_code == 204 and message.status == "delivered"


def test_ids_beyond_32_bits_are_simply_not_found(session):
    from engine.errors import NotFound

    for webhook_id in (0, -1, 2**31, 10**30):
        with pytest.raises(NotFound):
            webhooks.get_webhook(session, webhook_id)


def test_two_workers_at_once_send_each_event_once(session_factory):
    import threading
    import time

    with transaction(session_factory) as session:
        import_pack(session, workflow_pack("any"))
        webhooks.add_webhook(session, "https://erp.example.com/", ["created"])
        for n in range(12):
            create_record(session, "project", {"code": f"P{n}", "name": f"Tower {n}"}, SYSTEM)
    sent: list[bytes] = []
    lock = threading.Lock()

    def slow(url, body, headers, allow_private):
        time.sleep(0.02)
        with lock:
            sent.append(body)
        return webhooks.Answer(200)

    now = soon()
    workers = [
        threading.Thread(
            target=webhooks.deliver_due,
            args=(session_factory,),
            kwargs={"now": now, "sender": slow, "limit": 5},
        )
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    webhooks.deliver_due(session_factory, now=now, sender=slow)  # whatever the three left
    assert len(sent) == 12 and len(set(sent)) == 12
    with session_factory() as session:
        assert {m.status for m in messages(session)} == {"delivered"}


def test_finished_events_are_forgotten_after_a_month(session_factory):
    with transaction(session_factory) as session:
        import_pack(session, workflow_pack("any"))
        webhooks.add_webhook(session, "https://erp.example.com/", ["created"])
        create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
        create_record(session, "project", {"code": "P2", "name": "Hall"}, SYSTEM)
    webhooks.deliver_due(
        session_factory, now=soon(), sender=lambda *a: webhooks.Answer(200), limit=1
    )
    later = soon() + webhooks.KEEP + dt.timedelta(days=1)
    with transaction(session_factory) as session:
        assert webhooks.purge(session, now=soon()) == 0
        assert webhooks.purge(session, now=later) == 1  # the delivered one, not the pending one
        assert [m.status for m in messages(session)] == ["pending"]
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
