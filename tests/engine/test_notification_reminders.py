"""Reminders from the tick, on the bundled contracts pack: a contract in the site manager's
review is due three days after it was submitted; three hours before, he is reminded once,
however often the tick runs; once past due, he and the contract's owner are told it is
overdue, once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.models_notifications import Notification
from engine.packs import import_pack
from engine.records import create_record, list_records
from engine.workflow import apply_transition, tick
from tests.engine.people import make_user

MODULES = Path(__file__).resolve().parents[2] / "modules"
SUBMITTED = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
DUE = SUBMITTED + dt.timedelta(days=3)  # the review state's "due": "P3D"


@pytest.fixture
def contract(session: Session) -> dict[str, Any]:
    for name in ("construction", "contracts"):
        import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))
    chen = make_user(session, "chen", "commercial")
    make_user(session, "zhao", "site_manager")
    make_user(session, "hu", "accountant")
    (project,) = [
        p
        for p in list_records(session, "project", SYSTEM).items
        if p.data["code"] == "PRJ-2026-001"
    ]
    data = {
        "project": project.id,
        "name": "塔吊租赁 Tower crane hire",
        "contract_type": "lease",
        "counterparty": "华东机械",
        "signed_amount": "120000.00",
        "signed_on": "2026-05-01",
    }
    record = create_record(session, "contract", data, chen)
    apply_transition(session, "contract", record.id, "submit", chen, now=SUBMITTED)
    return {"id": record.id}


def reminders(session: Session, record_id: str) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Notification.event, Notification.user_name)
        .where(
            Notification.record_id == record_id,
            Notification.event.in_(("due_soon", "overdue")),
        )
        .order_by(Notification.id)
    )
    return [(event, name) for event, name in rows]


def test_due_soon_once_then_overdue_once_to_the_waiting_and_the_owner(session, contract) -> None:
    record_id = contract["id"]
    tick(session, now=DUE - dt.timedelta(hours=30))
    assert reminders(session, record_id) == []  # more than a day ahead
    report = tick(session, now=DUE - dt.timedelta(hours=3))
    assert reminders(session, record_id) == [("due_soon", "zhao")]
    assert report.due_soon >= 1
    (note,) = session.scalars(
        select(Notification).where(
            Notification.event == "due_soon", Notification.record_id == record_id
        )
    )
    assert note.key == f"due_soon:contract:{record_id}:{DUE.isoformat()}"
    assert note.actor is None  # the system
    assert note.params["due_at"] == DUE.isoformat()
    assert note.params["state_label"]["zh-CN"] == "项目经理审批"
    assert note.params["title"].endswith("塔吊租赁 Tower crane hire")
    tick(session, now=DUE - dt.timedelta(hours=2))
    tick(session, now=DUE - dt.timedelta(minutes=5))
    assert reminders(session, record_id) == [("due_soon", "zhao")]  # every few minutes: once
    report = tick(session, now=DUE + dt.timedelta(hours=1))
    assert sorted(reminders(session, record_id)[1:]) == [("overdue", "chen"), ("overdue", "zhao")]
    assert report.overdue >= 2
    tick(session, now=DUE + dt.timedelta(hours=5))
    assert len(reminders(session, record_id)) == 3  # overdue once too


def test_a_record_that_moved_on_is_not_reminded(session, contract) -> None:
    zhao = make_user(session, "zhao2", "site_manager")
    apply_transition(session, "contract", contract["id"], "approve", zhao, now=SUBMITTED)
    tick(session, now=DUE + dt.timedelta(hours=1))
    assert reminders(session, contract["id"]) == []  # in force: nothing waits, nothing is due
