"""A state due on a date of the record (`due: {"field": "date", "offset": "P3D"}`): the tick
fires `on_due` once that date (moved by the offset) has passed, not before and whatever the
time spent in the state; the inbox and the list marks say overdue by the same rule; an edit
of the date moves it; a due field that is no date is refused at import, nothing installed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.errors import DefinitionError
from engine.models import InstalledPack
from engine.packs import import_pack
from engine.records import create_record, get_record, update_record
from engine.workflow import apply_transition, inbox, tick
from engine.workflow.due import is_overdue
from tests.engine.people import make_user
from tests.engine.sample_pack import module
from tests.engine.workflow_pack import workflow_pack

UTC = dt.UTC
# Work dated 2 November, due three days after that day: overdue from 6 November, 00:00 UTC.
DUE = dt.datetime(2026, 11, 6, tzinfo=UTC)


def dated_pack(due: Any = None) -> dict[str, Any]:
    pack = workflow_pack()
    states = module(pack, "labour")["workflow"]["states"]
    states["submitted"]["due"] = due or {"field": "date", "offset": "P3D"}
    states["submitted"]["readonly"] = False  # so the manager can move the date
    return pack


@pytest.fixture
def people(session):
    return {
        "lee": make_user(session, "lee", "foreman"),
        "zhao": make_user(session, "zhao", "site_manager"),
    }


def submitted(session, people, *, at: dt.datetime, pack: dict[str, Any] | None = None):
    import_pack(session, pack or dated_pack())
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    data = {
        "project": project.id,
        "date": "2026-11-02",
        "worker": "Lee",
        "items": [{"task": "rebar", "hours": 8, "rate": 40}],
    }
    record = create_record(session, "labour", data, people["lee"])
    apply_transition(session, "labour", record.id, "submit", people["lee"], now=at)
    return record


def test_tick_fires_after_the_records_date_not_before(session, people):
    record = submitted(session, people, at=dt.datetime(2026, 10, 1, tzinfo=UTC))
    assert tick(session, now=DUE - dt.timedelta(seconds=1)).fired == []
    assert get_record(session, "labour", record.id, SYSTEM).state == "submitted"
    assert tick(session, now=DUE).fired == [("labour", record.id, "escalate")]
    assert get_record(session, "labour", record.id, SYSTEM).state == "escalated"


def test_the_time_in_the_state_does_not_count(session, people):
    late = dt.datetime(2026, 11, 20, 9, tzinfo=UTC)  # submitted long after the date
    record = submitted(session, people, at=late)
    assert tick(session, now=late + dt.timedelta(minutes=1)).fired == [
        ("labour", record.id, "escalate")
    ]


def test_inbox_and_list_marks_follow_the_date(session, people):
    record = submitted(session, people, at=dt.datetime(2026, 10, 1, tzinfo=UTC))
    before = inbox(session, people["zhao"], now=DUE - dt.timedelta(hours=1))
    assert before.counts["overdue"] == 0 and not before.items[0].overdue
    assert before.items[0].due_at == DUE
    after = inbox(session, people["zhao"], now=DUE + dt.timedelta(hours=1))
    assert after.counts["overdue"] == 1 and after.items[0].overdue
    stored = get_record(session, "labour", record.id, SYSTEM)
    labour = stored_module(session)
    assert not is_overdue(labour, stored.state, stored.state_since, stored.data, DUE)
    assert is_overdue(labour, stored.state, stored.state_since, stored.data, DUE + dt.timedelta(1))


def test_moving_the_date_moves_the_due_time(session, people):
    record = submitted(session, people, at=dt.datetime(2026, 10, 1, tzinfo=UTC))
    stored = get_record(session, "labour", record.id, SYSTEM)
    update_record(session, "labour", record.id, stored.version, {"date": "2026-11-10"},
                  people["zhao"])  # fmt: skip
    later = dt.datetime(2026, 11, 14, tzinfo=UTC)
    box = inbox(session, people["zhao"], now=DUE + dt.timedelta(days=1))
    assert box.counts["overdue"] == 0 and box.items[0].due_at == later
    assert tick(session, now=DUE + dt.timedelta(days=1)).fired == []
    assert tick(session, now=later).fired == [("labour", record.id, "escalate")]


def test_an_empty_date_is_never_overdue(session, people):
    pack = dated_pack({"field": "deadline"})
    module(pack, "labour")["schema"]["properties"]["deadline"] = {
        "type": "string",
        "format": "date",
    }
    record = submitted(session, people, at=dt.datetime(2026, 10, 1, tzinfo=UTC), pack=pack)
    far = dt.datetime(2030, 1, 1, tzinfo=UTC)
    assert tick(session, now=far).fired == []
    assert inbox(session, people["zhao"], now=far).counts["overdue"] == 0
    stored = get_record(session, "labour", record.id, SYSTEM)
    update_record(session, "labour", record.id, stored.version, {"deadline": "2026-12-01"},
                  people["zhao"])  # fmt: skip
    assert inbox(session, people["zhao"], now=far).counts["overdue"] == 1
    assert tick(session, now=far).fired == [("labour", record.id, "escalate")]


def stored_module(session):
    return load_catalog(session).module("labour")


@pytest.mark.parametrize(
    ("due", "code"),
    [
        ({"field": "deadline"}, "due_unknown_field"),
        ({"field": "worker"}, "due_field_not_date"),
        ({"field": "seen"}, "due_field_not_stored"),
    ],
)
def test_a_due_field_that_is_no_date_is_refused_at_import(session, due, code):
    pack = dated_pack(due)
    seen = {"type": "string", "format": "date", "x-formula": "today()"}  # computed when read
    module(pack, "labour")["schema"]["properties"]["seen"] = seen
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    found = [(p.path, p.code) for p in refused.value.problems]
    assert any(c == code and p.endswith("/workflow/states/submitted/due/field") for p, c in found)
    assert session.scalars(select(InstalledPack)).all() == []
