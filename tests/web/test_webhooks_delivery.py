"""Webhooks end to end, with a real HTTP receiver on 127.0.0.1 (allowed explicitly).

An administrator registers the receiver through the API; a foreman's request returns at
once, before anything is sent; `formwork tick` delivers a signed JSON event; the receiver
answers 500 first, and the retry after the backoff succeeds; the log shows both attempts.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine import webhooks
from engine.exactjson import loads
from tests.web.helpers import Api, body, labour_data


@dataclass
class Receiver:
    """A local HTTP server that records what it is sent and answers as told."""

    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
            length = int(self.headers.get("Content-Length", "0"))
            payload = self.rfile.read(length)
            time.sleep(state.delay)
            state.received.append((dict(self.headers.items()), payload))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"received" if status < 300 else b"try again later")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/formwork/events?site=1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_loopback_receivers_need_an_explicit_allowance(api: Api, receiver: Receiver) -> None:
    refused = api.post("/webhooks", json={"url": receiver.url, "events": ["created"]})
    assert refused.status_code == 422
    assert "allow_private" in body(refused)["errors"][0]["message"]


def test_signed_delivery_retried_after_a_500_without_delaying_the_user(
    api: Api, receiver: Receiver
) -> None:
    registered = api.post(
        "/webhooks",
        json={
            "url": receiver.url,
            "events": ["created", "transition"],
            "module": "labour_tally",
            "allow_private": True,
        },
    )
    assert registered.status_code == 201, registered.text
    hook = body(registered)
    secret = hook["secret"]
    assert "secret" not in body(api.get("/webhooks"))["items"][0]  # shown once only

    receiver.statuses = [500, 200]
    receiver.delay = 1.0  # a slow receiver
    project = api.first("project", as_="foreman")["id"]
    started = time.monotonic()
    created = api.post(
        "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
    )
    took = time.monotonic() - started
    assert created.status_code == 201
    assert took < receiver.delay and receiver.received == []  # the request did not wait

    result = api.app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "0 delivered, 1 to retry later" in result.output
    assert len(receiver.received) == 1
    headers, payload = receiver.received[0]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Formwork-Event"] == "created"
    assert webhooks.verify_signature(secret, headers["X-Formwork-Signature"], payload)
    assert not webhooks.verify_signature("whsec_wrong", headers["X-Formwork-Signature"], payload)
    event = loads(payload)
    assert event["event"] == "created" and event["actor"] == "foreman"
    assert event["record"]["id"] == body(created)["id"]
    assert event["record"]["data"]["items"][0]["rate"] == Decimal("38.50")
    assert b'"rate":38.50' in payload  # exact, as the API writes it

    # not due again until the backoff has passed; then the retry gets through
    factory = api.session_factory
    now = dt.datetime.now(dt.UTC)
    assert webhooks.deliver_due(factory, now=now + dt.timedelta(seconds=10)).retrying == []
    assert len(receiver.received) == 1
    retry = webhooks.deliver_due(factory, now=now + webhooks.backoff(1) + dt.timedelta(seconds=1))
    assert len(retry.delivered) == 1 and len(receiver.received) == 2
    again_headers, again = receiver.received[1]
    assert again == payload
    assert again_headers["X-Formwork-Delivery"] == headers["X-Formwork-Delivery"]
    assert webhooks.verify_signature(secret, again_headers["X-Formwork-Signature"], again)

    log = body(api.get(f"/webhooks/{hook['id']}/deliveries"))["items"]
    assert [(d["attempt"], d["status_code"]) for d in log] == [(2, 200), (1, 500)]
    assert all(d["duration_ms"] >= 900 for d in log)  # the receiver's slowness is logged
    assert log[1]["error"] == "the receiver answered 500" and log[0]["state"] == "delivered"
    listed = api.app.test_cli_runner().invoke(args=["webhooks", "deliveries", str(hook["id"])])
    assert listed.exit_code == 0 and "500" in listed.output and "200" in listed.output


def test_a_transition_is_delivered_with_its_states(api: Api, receiver: Receiver) -> None:
    api.post(
        "/webhooks",
        json={
            "url": receiver.url,
            "events": ["transition", "state_entered"],
            "allow_private": True,
        },
    )
    project = api.first("project", as_="foreman")["id"]
    record = body(
        api.post(
            "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
        )
    )
    fired = api.post(
        f"/modules/labour_tally/records/{record['id']}/transitions/submit", as_="foreman"
    )
    assert fired.status_code == 200
    assert api.app.test_cli_runner().invoke(args=["tick"]).exit_code == 0
    events = {headers["X-Formwork-Event"]: loads(payload) for headers, payload in receiver.received}
    assert set(events) == {"transition", "state_entered"}
    moved = events["transition"]
    assert (moved["transition"], moved["from"], moved["to"]) == ("submit", "draft", "submitted")
    assert moved["record"]["state"] == "submitted"
