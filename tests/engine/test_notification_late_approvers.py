"""A user who becomes an approver after a tally started waiting (given the site manager's
role later) is told it waits for them, once, and the e-mail reaches a real SMTP server; one
who loses the role before the e-mail goes out, or whose vote item closes because the tally
was decided meanwhile, is sent nothing, the reason in the delivery log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import accounts
from engine.actor import SYSTEM, Actor
from engine.db import transaction
from engine.models import Task
from engine.models_notifications import Notification, NotificationChannel, NotificationSend
from engine.notifications import Preferences, save_preferences
from engine.notifications.delivery import deliver_due
from engine.packs import import_pack
from engine.records import create_record, list_records
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.test_notification_channels import smtp_settings
from tests.smtpserver import SmtpServer, running_smtp

MODULES = Path(__file__).resolve().parents[2] / "modules"
LATER = dt.timedelta(minutes=1)
WORKER = "王伟 <b>{{7*7}}</b>"


@pytest.fixture
def site(session_factory: sessionmaker[Session]) -> dict[str, Any]:
    """A submitted tally on project 1 that site manager zhao may approve; sun, granted the
    project but no role yet, wants e-mail in Chinese."""
    with transaction(session_factory) as session:
        import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
        (project,) = [
            p.id
            for p in list_records(session, "project", SYSTEM).items
            if p.data["code"] == "PRJ-2026-001"
        ]
        lee = make_user(session, "lee", "foreman")
        zhao = make_user(session, "zhao", "site_manager")
        sun = make_user(session, "sun")
        for name in ("zhao", "sun"):
            accounts.add_grant(session, name, "project", project)
        session.add(NotificationChannel(channel="email", enabled=True, settings={}))
        assert sun.user_id is not None
        wanted = Preferences(email="sun@example.com", language="zh-CN", channels=("email",))
        save_preferences(session, sun.user_id, wanted)
        data = {
            "project": project,
            "date": "2026-03-02",
            "worker": WORKER,
            "trade": "rebar",
            "items": [{"content": "Tie slab rebar", "hours": 8, "rate": "38.50"}],
        }
        record = create_record(session, "labour_tally", data, lee).id
        apply_transition(session, "labour_tally", record, "submit", lee)
        return {"record": record, "zhao": zhao}


def told(factory: sessionmaker[Session], name: str, record: str | None) -> list[Notification]:
    """What `name` was told about `record` (None: about anything)."""
    statement = select(Notification).where(Notification.user_name == name)
    if record is not None:
        statement = statement.where(Notification.record_id == record)
    with transaction(factory, write=False) as session:
        rows = session.scalars(statement.order_by(Notification.id))
        found = list(rows)
        session.expunge_all()
        return found


def roles(factory: sessionmaker[Session], name: str, *held: str) -> None:
    with transaction(factory) as session:
        accounts.set_roles(session, name, held, by="admin")


def deliver(factory: sessionmaker[Session], server: SmtpServer) -> Any:
    settings = smtp_settings(server.port, base_url="https://formwork.example.com")
    return deliver_due(factory, now=dt.datetime.now(dt.UTC) + LATER, settings=settings)


def send_of(factory: sessionmaker[Session], note: Notification) -> tuple[str, str | None]:
    """The status and last error of the e-mail of `note`."""
    with transaction(factory, write=False) as session:
        row = session.scalars(
            select(NotificationSend).where(NotificationSend.notification_id == note.id)
        ).one()
        return row.status, row.last_error


def tally_mail(server: SmtpServer) -> list[Any]:
    """The e-mails about the tally (its worker's name is in the subject)."""
    return [m for m in server.received if WORKER in str(m.message["Subject"])]


def test_a_user_given_the_approvers_role_later_is_told_once(session_factory, site) -> None:
    record = site["record"]
    assert told(session_factory, "sun", record) == []
    roles(session_factory, "sun", "site_manager")
    roles(session_factory, "sun", "site_manager", "viewer")  # synced again: nothing new
    (note,) = told(session_factory, "sun", None)  # the pack's demo records tell nobody
    with transaction(session_factory, write=False) as session:
        waiting = set(session.scalars(select(Task.record_id).where(Task.assignee_user == "sun")))
        assert record in waiting and len(waiting) > 1  # the demo records wait for him too
        (item,) = session.scalars(
            select(Task).where(
                Task.assignee_user == "sun", Task.record_id == record, Task.done_at.is_(None)
            )
        )
        assert note.key == f"task:{item.id}" and item.kind == "vote"
    assert (note.event, note.module, note.actor) == ("task", "labour_tally", None)
    assert note.params["kind"] == "vote" and note.params["transition"] == "approve"
    assert note.params["title"].endswith(WORKER)  # named, as plain text
    assert note.params["state_label"]["zh-CN"] == "已提交" and note.params["due_at"]
    with running_smtp() as server:
        deliver(session_factory, server)
        assert deliver(session_factory, server).sent == []  # sent once
    assert send_of(session_factory, note) == ("sent", None)
    (mail,) = tally_mail(server)
    assert mail.rcpt_tos == ["sun@example.com"]
    assert "等待您审批" in str(mail.message["Subject"])
    html = mail.message.get_body(("html",))
    assert html is not None and "&lt;b&gt;{{7*7}}&lt;/b&gt;" in html.get_content()


def test_losing_the_role_before_the_send_drops_it(session_factory, site) -> None:
    roles(session_factory, "sun", "site_manager")
    roles(session_factory, "sun")  # taken away again before the worker ran
    with running_smtp() as server:
        deliver(session_factory, server)
    assert server.received == []
    (note,) = told(session_factory, "sun", site["record"])
    reason = f"sun may no longer read labour_tally {site['record']}"
    assert send_of(session_factory, note) == ("dropped", reason)


def test_a_vote_item_closed_before_the_send_drops_it(session_factory, site) -> None:
    roles(session_factory, "sun", "site_manager")
    zhao: Actor = site["zhao"]
    with transaction(session_factory) as session:  # zhao approves: sun's vote is not needed
        apply_transition(session, "labour_tally", site["record"], "approve", zhao)
    with running_smtp() as server:
        deliver(session_factory, server)
    assert tally_mail(server) == []
    (note,) = told(session_factory, "sun", site["record"])  # still in the app's list
    reason = f"the task on labour_tally {site['record']} is no longer open"
    assert send_of(session_factory, note) == ("dropped", reason)
