"""A refusal says the pack's own message, never the expression: guards and validations,
through links and over child rows, with a generic sentence when the pack gives none."""

from __future__ import annotations

import pytest

from engine.actor import SYSTEM
from engine.errors import DefinitionError, TransitionRefused, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, get_record, update_record
from engine.workflow import apply_transition, available_transitions
from tests.engine.people import make_user
from tests.engine.rules_pack import NO_HOURS, OVER_BUDGET, rules_pack
from tests.engine.sample_pack import module


@pytest.fixture
def lee(session):
    return make_user(session, "lee", "foreman")


def tally(project, hours=8, rate=40, worker="Lee"):
    return {
        "project": project.id,
        "date": "2026-11-02",
        "worker": worker,
        "items": [{"task": "t", "hours": hours, "rate": rate}],
    }


def project(session, budget=1000):
    data = {"code": "P1", "name": "Tower", "budget": budget}
    return create_record(session, "project", data, SYSTEM)


def test_a_guard_refuses_with_its_message_in_every_language_it_has(session, lee):
    import_pack(session, rules_pack())
    record = create_record(session, "labour", tally(project(session), hours=0), lee)
    reason = {o.id: o for o in available_transitions(session, "labour", record.id, lee)}
    refused = reason["submit"].reason
    assert refused.code == "guard_message"
    assert refused.message == NO_HOURS["en"]
    assert dict(refused.params["texts"]) == NO_HOURS  # the reader's language is picked at the edge
    with pytest.raises(TransitionRefused) as raised:
        apply_transition(session, "labour", record.id, "submit", lee)
    assert raised.value.problem.code == "guard_message"
    assert "hours > 0" not in str(raised.value)


def test_a_guard_without_message_says_a_generic_sentence_not_the_expression(session, lee):
    pack = rules_pack()
    submit = module(pack, "labour")["workflow"]["transitions"][0]
    del submit["message"]
    import_pack(session, pack)
    record = create_record(session, "labour", tally(project(session), hours=0), lee)
    with pytest.raises(TransitionRefused) as raised:
        apply_transition(session, "labour", record.id, "submit", lee)
    assert raised.value.problem.code == "guard_failed"
    assert "hours" not in raised.value.problem.message


def test_a_validation_reads_through_a_link_on_create_and_on_update(session, lee):
    import_pack(session, rules_pack())
    tower = project(session, budget=1000)
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "labour", tally(tower, rate=200), lee)  # 1,600 > 1,000
    assert [(p.path, p.code, p.message) for p in refused.value.problems] == [
        ("/items", "rule_message", OVER_BUDGET["en"])
    ]
    record = create_record(session, "labour", tally(tower), lee)  # 320: within the budget
    change = {"items": [{"task": "t", "hours": 8, "rate": 150}]}
    with pytest.raises(ValidationFailed):
        update_record(session, "labour", record.id, 1, change, lee)
    assert get_record(session, "labour", record.id, lee).data["amount"] == 320


def test_a_validation_may_let_an_empty_value_pass(session, lee):
    import_pack(session, rules_pack())
    record = create_record(session, "labour", tally(project(session, budget=None)), lee)
    assert record.data["amount"] == 320  # no budget: nothing to exceed


def test_a_validation_without_message_refuses_the_whole_record_generically(session, lee):
    import_pack(session, rules_pack())
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "labour", tally(project(session), worker="nobody"), lee)
    (problem,) = refused.value.problems
    assert (problem.path, problem.code) == ("", "rule_failed")
    assert "nobody" not in problem.message


def test_import_refuses_a_validation_naming_unknown_things(session):
    pack = rules_pack()
    module(pack, "labour")["validations"] = [
        {"when": "amount <= project.budgett", "fields": ["itemz"], "message": "x"}
    ]
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    assert {(p.path, p.code) for p in refused.value.problems} == {
        ("/modules/1/validations/0/when", "unknown_name"),
        ("/modules/1/validations/0/fields/0", "validation_unknown_field"),
    }
