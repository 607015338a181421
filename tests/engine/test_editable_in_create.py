"""A field editable only in some states cannot be given at create unless the record's first
state is one of them: refused at the field with the problem an update gets."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.actor import SYSTEM
from engine.errors import BatchFailed, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, get_record
from engine.records.service import create_records
from tests.engine.people import make_user
from tests.engine.rules_pack import rules_pack


@pytest.fixture
def tally(session):
    import_pack(session, rules_pack())
    tower = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    lee = make_user(session, "lee", "foreman")
    make_user(session, "zhao", "site_manager")
    data = {
        "project": tower.id,
        "date": "2026-11-02",
        "worker": "Lee",
        "items": [{"task": "t", "hours": 8, "rate": 40}],
    }
    return data, lee


def test_a_field_closed_in_the_first_state_is_refused_at_create(session, tally):
    data, lee = tally
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "labour", {**data, "checker": "zhao"}, lee)  # submitted only
    (problem,) = refused.value.problems
    assert (problem.path, problem.code) == ("/checker", "field_state_locked")
    assert "submitted" in problem.message and "draft" in problem.message
    record = create_record(session, "labour", {**data, "notes": "ok", "checker": ""}, lee)
    assert record.data["notes"] == "ok" and record.data["checker"] is None  # an empty value


def test_a_batch_names_the_item_and_writes_nothing(session, tally):
    data, lee = tally
    with pytest.raises(BatchFailed) as refused:
        create_records(session, "labour", [data, {**data, "checker": "zhao"}], lee)
    assert [(i, p.path, p.code) for i, p in refused.value.items] == [
        (1, "/checker", "field_state_locked")
    ]
    assert session.execute(text("select count(*) from m_labour")).scalar() == 0


def test_a_demo_record_placed_in_a_later_state_may_carry_it(session, tally):
    data, _ = tally
    (record_id,) = create_records(
        session, "labour", [{**data, "checker": "zhao"}], SYSTEM, states=["approved"]
    )  # a seed stands for a tally that was checked while submitted, then approved
    assert get_record(session, "labour", record_id, SYSTEM).data["checker"] == "zhao"
