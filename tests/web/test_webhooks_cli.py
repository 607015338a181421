"""`formwork webhooks add|list|deliveries|remove`, `formwork tick` and `formwork worker`."""

from __future__ import annotations

from engine import webhooks
from engine.models import WebhookMessage
from tests.web.helpers import Api, body, labour_data


def run(api: Api, *args: str):  # type: ignore[no-untyped-def]
    return api.app.test_cli_runner().invoke(args=list(args))


def test_an_admin_registers_lists_and_stops_a_webhook(api: Api) -> None:
    added = run(
        api,
        "webhooks",
        "add",
        "https://erp.example.com/in",
        "--event",
        "created",
        "--event",
        "updated",
        "--module",
        "labour_tally",
    )
    assert added.exit_code == 0, added.output + added.stderr
    secret = added.stdout.strip()
    assert secret.startswith("whsec_")
    assert "shown only once" in added.stderr
    listed = run(api, "webhooks", "list")
    assert "https://erp.example.com/in" in listed.stdout
    assert "created,updated" in listed.stdout and "labour_tally" in listed.stdout
    assert secret not in listed.stdout
    assert run(api, "webhooks", "remove", "1").exit_code == 0
    assert "removed" in run(api, "webhooks", "list").stdout


def test_private_targets_are_refused_on_the_command_line_too(api: Api) -> None:
    refused = run(api, "webhooks", "add", "http://192.168.1.9/x", "--event", "created")
    assert refused.exit_code == 1
    assert "/url:" in refused.stderr and "allow_private" in refused.stderr
    allowed = run(
        api, "webhooks", "add", "http://192.168.1.9/x", "--event", "created", "--allow-private"
    )
    assert allowed.exit_code == 0
    unknown = run(api, "webhooks", "add", "https://e.example.com/", "--event", "exploded")
    assert unknown.exit_code == 1 and "/events/0" in unknown.stderr


def test_tick_and_one_worker_round_send_what_is_due(api: Api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sent: list[str] = []

    def fake_send(url, body_, headers, allow_private):  # type: ignore[no-untyped-def]
        sent.append(headers["X-Formwork-Event"])
        return webhooks.Answer(200)

    monkeypatch.setattr(webhooks.delivery, "send", fake_send)
    run(api, "webhooks", "add", "https://erp.example.com/in", "--event", "created")
    project = api.first("project", as_="foreman")["id"]
    for _ in range(2):
        created = api.post(
            "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
        )
        assert created.status_code == 201
    worker = run(api, "worker", "--interval", "0.1", "--rounds", "1")
    assert worker.exit_code == 0, worker.stderr
    assert "Webhooks: 2 delivered" in worker.stdout and "Worker stopped." in worker.stdout
    assert sent == ["created", "created"]
    tick = run(api, "tick")
    assert tick.exit_code == 0 and "Webhooks: 0 delivered" in tick.stdout
    with api.session_factory() as session:
        assert {m.status for m in session.query(WebhookMessage)} == {"delivered"}
    log = run(api, "webhooks", "deliveries")
    assert log.stdout.count("created") == 2
    assert body(api.get("/webhooks"))["items"][0]["url"] == "https://erp.example.com/in"
