"""A field editable only in some states: read-only for every role elsewhere, in the one
answer pages and API read (abilities), refused at the field by the services."""

from __future__ import annotations

import pytest

from engine.abilities import abilities
from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.errors import DefinitionError, StateLocked
from engine.packs import import_pack
from engine.records import create_record, get_record, update_record
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.rules_pack import rules_pack
from tests.engine.sample_pack import module


@pytest.fixture
def people(session):
    return {
        "lee": make_user(session, "lee", "foreman"),
        "zhao": make_user(session, "zhao", "site_manager"),
        "admin": make_user(session, "boss", "admin"),
    }


def draft(session, people):
    import_pack(session, rules_pack())
    tower = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    data = {
        "project": tower.id,
        "date": "2026-11-02",
        "worker": "Lee",
        "items": [{"task": "t", "hours": 8, "rate": 40}],
    }
    return create_record(session, "labour", data, people["lee"])


def modes(session, who, record_id):
    """Each field's mode for `who` on the record, as the edit form and the API read it."""
    record = get_record(session, "labour", record_id, who)
    return abilities(who, load_catalog(session).module("labour"), record).fields


def test_the_form_answer_follows_the_state(session, people):
    record = draft(session, people)
    in_draft = modes(session, people["lee"], record.id)
    assert in_draft["notes"] == "write"  # editable in draft and rejected
    assert in_draft["checker"] == "read"  # editable only while submitted
    assert modes(session, people["admin"], record.id)["checker"] == "read"  # for every role
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    submitted = modes(session, people["zhao"], record.id)
    assert submitted["checker"] == "write" and submitted["notes"] == "read"


def test_a_change_outside_the_fields_states_is_refused_at_the_field(session, people):
    record = draft(session, people)
    with pytest.raises(StateLocked) as refused:
        update_record(session, "labour", record.id, 1, {"checker": "zhao"}, people["lee"])
    problem = refused.value.problem
    assert (problem.path, problem.code) == ("/checker", "field_state_locked")
    assert "submitted" in problem.message
    assert get_record(session, "labour", record.id, people["lee"]).data["checker"] is None
    update_record(session, "labour", record.id, 1, {"notes": "fine"}, people["lee"])
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    update_record(session, "labour", record.id, 3, {"checker": "zhao"}, people["zhao"])
    assert get_record(session, "labour", record.id, people["zhao"]).data["checker"] == "zhao"


def test_import_refuses_unknown_states_and_a_module_without_workflow(session):
    pack = rules_pack()
    labour = module(pack, "labour")
    labour["schema"]["properties"]["notes"]["x-editable-in"] = ["draft", "rejeted"]
    module(pack, "project")["schema"]["properties"]["budget"]["x-editable-in"] = ["draft"]
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    found = {(p.path, p.code): p.message for p in refused.value.problems}
    assert set(found) == {
        ("/modules/1/schema/properties/notes/x-editable-in/1", "unknown_state"),
        ("/modules/0/schema/properties/budget/x-editable-in", "editable_in_no_workflow"),
    }
    assert (
        "did you mean 'rejected'?"
        in found[("/modules/1/schema/properties/notes/x-editable-in/1", "unknown_state")]
    )
