"""`formwork tick` and a `formwork worker` round send notifications by e-mail through a real
SMTP server on 127.0.0.1, once each, and say how many; the tick says how many reminders it
wrote; a wrong setting stops them with the variable's name."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update

from engine.accounts import get_user
from engine.catalog import load_catalog
from engine.db import transaction
from engine.models import Task
from engine.models_notifications import NotificationChannel
from engine.notifications import Preferences, notify, save_preferences
from engine.notifications.worker import NotificationWorker
from tests.smtpserver import SmtpServer, running_smtp
from tests.web.helpers import Api, body, labour_data

HOSTILE = "<img src=x onerror=alert(1)> {{7*7}}"


def run(api: Api, *args: str) -> Any:
    return api.app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with running_smtp() as server:
        monkeypatch.setenv("FORMWORK_SMTP_HOST", server.host)
        monkeypatch.setenv("FORMWORK_SMTP_PORT", str(server.port))
        monkeypatch.setenv("FORMWORK_SMTP_TLS", "none")
        monkeypatch.setenv("FORMWORK_SMTP_FROM", "Formwork <noreply@example.com>")
        monkeypatch.setenv("FORMWORK_BASE_URL", "https://formwork.example.com")
        monkeypatch.setenv("FORMWORK_TIMEZONE", "Asia/Shanghai")
        yield server


def tell_manager(api: Api, key: str) -> str:
    """A tally by the foreman, and the manager told it waits for him, by e-mail."""
    project = api.first("project", as_="foreman")["id"]
    created = api.post(
        "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
    )
    assert created.status_code == 201, created.text
    record = body(created)["id"]
    with transaction(api.session_factory) as session:
        session.merge(NotificationChannel(channel="email", enabled=True, settings={}))
        manager = get_user(session, "manager")
        wanted = Preferences(email="manager@example.com", language="en", channels=("email",))
        save_preferences(session, manager.id, wanted)
        told = notify(
            session, "task", ["manager"], key=key, module="labour_tally", record_id=record,
            actor="foreman", params={"title": HOSTILE, "kind": "vote"},
        )  # fmt: skip
        assert [n.user_name for n in told] == ["manager"]
    return record


def test_tick_sends_each_notification_once_and_counts_them(api: Api, smtp: SmtpServer) -> None:
    record = tell_manager(api, "task:1")
    tick = run(api, "tick")
    assert tick.exit_code == 0, tick.output
    assert "Notifications: 1 sent, 0 to retry later, 0 given up, 0 dropped." in tick.stdout
    (mail,) = smtp.received
    assert mail.rcpt_tos == ["manager@example.com"]
    html = mail.message.get_body(("html",))
    assert html is not None
    content = html.get_content()
    assert f"https://formwork.example.com/m/labour_tally/r/{record}" in content
    assert "<img src=x" not in content and "&lt;img src=x" in content
    again = run(api, "tick")
    assert "Notifications: 0 sent, 0 to retry later, 0 given up, 0 dropped." in again.stdout
    assert len(smtp.received) == 1


def test_a_worker_round_sends_and_an_unreachable_server_is_retried_later(
    api: Api, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tell_manager(api, "task:1")
    worker = run(api, "worker", "--interval", "0.1", "--rounds", "1", "--no-imports")
    assert worker.exit_code == 0, worker.output
    assert "Notifications: 1 sent" in worker.stdout and len(smtp.received) == 1

    with running_smtp() as gone:
        closed = gone.port  # a port nobody listens on once this block ends
    monkeypatch.setenv("FORMWORK_SMTP_PORT", str(closed))
    tell_manager(api, "task:2")
    tick = run(api, "tick")
    assert "Notifications: 0 sent, 1 to retry later, 0 given up, 0 dropped." in tick.stdout
    assert len(smtp.received) == 1


def test_a_wrong_setting_stops_the_tick_naming_the_variable(
    api: Api, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMWORK_TIMEZONE", "Mars/Olympus")
    tick = run(api, "tick")
    assert tick.exit_code == 1
    assert "FORMWORK_TIMEZONE='Mars/Olympus' is not a time zone" in tick.output


def test_the_servers_thread_sends_without_any_request_waiting(api: Api, smtp: SmtpServer) -> None:
    tell_manager(api, "task:1")
    thread = NotificationWorker(api.session_factory, interval=0.1)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not smtp.received and time.monotonic() < deadline:
            thread.stopping.wait(0.05)  # until the message arrives (or the test gives up)
    finally:
        thread.stop(timeout=30)
    assert not thread.is_alive() and thread.rounds >= 1
    assert [m.rcpt_tos for m in smtp.received] == [["manager@example.com"]]


def waiting_since(api: Api, record: str, since: dt.datetime) -> None:
    """Put a submitted tally's clock back: it has waited since `since` (due two days on)."""
    with transaction(api.session_factory) as session:
        main = load_catalog(session).tables["labour_tally"].main
        session.execute(update(main).where(main.c.id == record).values(state_since=since))
        session.execute(
            update(Task).where(Task.record_id == record).values(due_at=since + dt.timedelta(2))
        )


def submitted(api: Api) -> str:
    project = api.first("project", as_="foreman")["id"]
    made = api.post(
        "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
    )
    assert made.status_code == 201, made.text
    record = body(made)["id"]
    fired = api.post(f"/modules/labour_tally/records/{record}/transitions/submit", as_="foreman")
    assert fired.status_code == 200, fired.text
    return str(record)


def test_tick_says_how_many_reminders_it_wrote(api: Api, smtp: SmtpServer) -> None:
    soon, late = submitted(api), submitted(api)
    first = run(api, "tick")  # the pack's demo records may have reminders of their own
    assert first.exit_code == 0 and "Reminders: " in first.stdout
    now = dt.datetime.now(dt.UTC)
    waiting_since(api, soon, now - dt.timedelta(days=2) + dt.timedelta(hours=3))
    waiting_since(api, late, now - dt.timedelta(days=3))
    tick = run(api, "tick")
    assert tick.exit_code == 0, tick.output
    # the manager is told one is due soon; he and its foreman that the other is overdue
    assert "Reminders: 1 due soon, 2 overdue." in tick.stdout
    again = run(api, "tick")
    assert "Reminders: 0 due soon, 0 overdue." in again.stdout  # once per due moment
