"""Webhooks through the API: an administrator pauses, resumes and sends an event again,
each change in the admin trail under their name; anyone else is refused."""

from __future__ import annotations

from sqlalchemy import select

from engine.admin_log import TrailQuery, admin_events
from engine.models import WebhookMessage
from engine.webhooks import Answer, deliver_due
from tests.web.helpers import Api, body, labour_data


def test_pause_resume_and_redeliver_through_the_api(api: Api) -> None:
    hook = body(
        api.post("/webhooks", json={"url": "https://erp.example.com/in", "events": ["created"]})
    )
    paused = api.post(f"/webhooks/{hook['id']}/pause")
    assert paused.status_code == 200 and body(paused)["active"] is False
    project = api.first("project", as_="foreman")["id"]
    created = api.post(
        "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
    )
    assert created.status_code == 201
    ok = lambda *a: Answer(200)  # noqa: E731 - a receiver that accepts everything
    assert deliver_due(api.session_factory, sender=ok).delivered == []  # held while paused
    assert body(api.post(f"/webhooks/{hook['id']}/resume"))["active"] is True
    assert len(deliver_due(api.session_factory, sender=ok).delivered) == 1
    with api.session_factory() as session:
        event_id = session.scalars(select(WebhookMessage.id)).one()
    again = api.post(f"/webhooks/{hook['id']}/events/{event_id}/redeliver")
    assert again.status_code == 200 and body(again) == {
        "id": event_id,
        "state": "pending",
        "attempts": 1,
    }
    for unknown in (event_id + 1, 0, 10**30):
        refused = api.post(f"/webhooks/{hook['id']}/events/{unknown}/redeliver")
        assert refused.status_code == 404
    with api.session_factory() as session:
        trail = admin_events(session, TrailQuery(action="webhook")).events
        assert [(e.actor, e.action) for e in reversed(trail)] == [
            ("admin", "webhook.add"),
            ("admin", "webhook.pause"),
            ("admin", "webhook.resume"),
            ("admin", "webhook.redeliver"),
        ]


def test_only_administrators_pause_or_redeliver(api: Api) -> None:
    hook = body(
        api.post("/webhooks", json={"url": "https://erp.example.com/in", "events": ["created"]})
    )
    for path in ("pause", "resume", "events/1/redeliver"):
        assert api.post(f"/webhooks/{hook['id']}/{path}", as_="foreman").status_code == 403
    assert body(api.get("/webhooks"))["items"][0]["active"] is True
