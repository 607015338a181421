"""A transition that sets fields: written with the state change, checked like any write,
listed in the history, and all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.accounts import set_roles
from engine.actor import SYSTEM
from engine.audit import record_history
from engine.errors import DefinitionError, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, get_record
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.rules_pack import rules_pack
from tests.engine.sample_pack import module


@pytest.fixture
def people(session):
    return {
        "lee": make_user(session, "lee", "foreman"),
        "zhao": make_user(session, "zhao", "site_manager"),
    }


def submitted(session, people, hours=8, rate=40):
    import_pack(session, rules_pack())
    project = create_record(
        session, "project", {"code": "P1", "name": "Tower", "budget": 100000}, SYSTEM
    )
    data = {
        "project": project.id,
        "date": "2026-11-02",
        "worker": "Lee",
        "items": [{"task": "t", "hours": hours, "rate": rate}],
    }
    record = create_record(session, "labour", data, people["lee"])
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    return record


def test_the_step_writes_its_fields_with_the_state_and_the_history_lists_them(session, people):
    record = submitted(session, people)
    assert get_record(session, "labour", record.id, people["zhao"]).data["open_amount"] == 320
    result = apply_transition(session, "labour", record.id, "accept", people["zhao"])
    after = get_record(session, "labour", record.id, people["zhao"])
    assert after.state == "checked"  # a read-only state: the workflow writes it all the same
    assert after.data["approved_amount"] == Decimal("320.00")  # a read-only field too
    assert after.data["checked_on"] == dt.datetime.now(dt.UTC).date()
    assert after.data["checked"] is True
    assert after.data["open_amount"] == 0  # the formula over it is computed again
    assert after.version == result.record.version == 3  # one write: submit, accept
    last = record_history(session, "labour", record.id)[-1]
    assert (last.action, last.transition, last.to_state) == ("transition", "accept", "checked")
    changed = {c["field"]: c["new"] for c in last.changes}
    assert changed["approved_amount"] == "320.00"
    assert set(changed) == {"approved_amount", "checked_on", "checked", "open_amount"}


def test_a_refused_value_leaves_state_and_fields_as_they_were(session, people):
    record = submitted(session, people, rate=700)  # 5,600 > approved_amount's maximum
    with pytest.raises(ValidationFailed) as refused:
        apply_transition(session, "labour", record.id, "accept", people["zhao"])
    assert [p.path for p in refused.value.problems] == ["/approved_amount"]
    after = get_record(session, "labour", record.id, people["zhao"])
    assert after.state == "submitted" and after.data["approved_amount"] is None
    assert after.version == 2
    assert record_history(session, "labour", record.id)[-1].transition == "submit"


def _refused(session, pack) -> dict[str, str]:
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    return {p.path: p.code for p in refused.value.problems}


def _accept_set(pack):
    transitions = module(pack, "labour")["workflow"]["transitions"]
    return next(t for t in transitions if t["id"] == "accept")["set"]


def test_import_refuses_a_set_of_an_unknown_computed_or_mistyped_field(session):
    pack = rules_pack()
    sets = _accept_set(pack)
    sets["aproved_amount"] = "amount"
    sets["amount"] = "1"
    sets["checked_on"] = "amount * 2"
    where = "/modules/1/workflow/transitions/6/set"
    assert _refused(session, pack) == {
        f"{where}/aproved_amount": "set_unknown_field",
        f"{where}/amount": "set_computed_field",
        f"{where}/checked_on": "set_type_clash",
    }


def test_a_step_taken_by_the_system_sets_fields_too(session, people):
    record = submitted(session, people)
    set_roles(session, "zhao", [])
    apply_transition(session, "labour", record.id, "accept", SYSTEM)
    assert get_record(session, "labour", record.id, SYSTEM).data["approved_amount"] == 320
