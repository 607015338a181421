"""Multi-user fields and approvals that need several roles at once: a contract consults
several people, and signing it needs commercial and finance together."""

from __future__ import annotations

import pytest

from engine.audit import record_history
from engine.catalog import load_catalog
from engine.errors import DefinitionError, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, get_record, list_records, parse_list_params
from engine.records.service import update_record
from engine.workflow import apply_transition, inbox
from tests.engine.people import make_user
from tests.engine.people_pack import people_pack


@pytest.fixture
def people(session):
    import_pack(session, people_pack())
    return {
        "lee": make_user(session, "lee", "clerk"),
        "kim": make_user(session, "kim", "commercial"),
        "fay": make_user(session, "fay", "finance"),
        "bo": make_user(session, "bo", "commercial", "finance"),
    }


def _names(session, actor, **params):
    module = load_catalog(session).module("deal")
    page = list_records(session, "deal", actor, parse_list_params(module, params, actor))
    return sorted(r.data["name"] for r in page.items)


def test_a_multi_user_field_keeps_its_names_and_refuses_an_unknown_one(session, people):
    deal = create_record(session, "deal", {"name": "A", "consulted": ["kim", "fay"]}, people["lee"])
    assert get_record(session, "deal", deal.id, people["lee"]).data["consulted"] == ["kim", "fay"]
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "deal", {"name": "B", "consulted": ["kim", "ghost"]}, people["lee"])
    [problem] = refused.value.problems
    assert (problem.path, problem.code, problem.params["value"]) == (
        "/consulted/1",
        "no_active_user",
        "ghost",
    )
    with pytest.raises(ValidationFailed):
        create_record(session, "deal", {"name": "C", "consulted": ["kim", "kim"]}, people["lee"])


def test_the_history_shows_the_names_before_and_after(session, people):
    deal = create_record(session, "deal", {"name": "A", "consulted": ["kim"]}, people["lee"])
    data = {"name": "A", "consulted": ["kim", "fay"]}
    update_record(session, "deal", deal.id, deal.version, data, people["lee"])
    last = record_history(session, "deal", deal.id)[-1]
    [change] = [c for c in last.changes if c["field"] == "consulted"]
    assert "fay" in str(change["new"]) and "fay" not in str(change["old"])


def test_a_list_filters_by_a_user_it_names_or_by_me_and_searches_names(session, people):
    create_record(session, "deal", {"name": "A", "consulted": ["kim", "fay"]}, people["lee"])
    create_record(session, "deal", {"name": "B", "consulted": ["fay"]}, people["lee"])
    create_record(session, "deal", {"name": "C"}, people["lee"])
    kim = people["kim"]
    assert _names(session, kim, **{"filter[consulted][contains]": "fay"}) == ["A", "B"]
    assert _names(session, kim, **{"filter[consulted][contains]": "me"}) == ["A"]
    assert _names(session, people["fay"], **{"filter[consulted][contains]": "me"}) == ["A", "B"]
    assert _names(session, kim, q="kim") == ["A"]


def test_each_user_a_multi_user_field_names_may_vote(session, people):
    deal = create_record(session, "deal", {"name": "A", "consulted": ["kim", "fay"]}, people["lee"])
    result = apply_transition(session, "deal", deal.id, "consult", people["fay"])
    assert result.fired


def test_signing_waits_for_finance_after_commercial_then_moves(session, people):
    deal = create_record(session, "deal", {"name": "A"}, people["lee"])
    apply_transition(session, "deal", deal.id, "submit", people["lee"])
    voters = {n for n in ("kim", "fay", "bo") if inbox(session, people[n]).items}
    assert voters == {"kim", "fay", "bo"}  # the task reaches both groups' members
    first = apply_transition(session, "deal", deal.id, "sign", people["kim"])
    assert not first.fired
    waiting = {g.role: g.reached for g in first.progress.groups}
    assert waiting == {"commercial": True, "finance": False}
    assert get_record(session, "deal", deal.id, people["lee"]).state == "review"
    second = apply_transition(session, "deal", deal.id, "sign", people["fay"])
    assert second.fired
    assert get_record(session, "deal", deal.id, people["lee"]).state == "signed"


def test_a_user_in_both_roles_counts_for_both_groups(session, people):
    deal = create_record(session, "deal", {"name": "A"}, people["lee"])
    apply_transition(session, "deal", deal.id, "submit", people["lee"])
    assert apply_transition(session, "deal", deal.id, "sign", people["bo"]).fired


def test_a_return_from_either_group_sends_the_deal_back(session, people):
    deal = create_record(session, "deal", {"name": "A"}, people["lee"])
    apply_transition(session, "deal", deal.id, "submit", people["lee"])
    apply_transition(session, "deal", deal.id, "sign", people["kim"])
    apply_transition(session, "deal", deal.id, "return", people["fay"])
    assert get_record(session, "deal", deal.id, people["lee"]).state == "returned"
    apply_transition(session, "deal", deal.id, "submit", people["lee"])
    again = apply_transition(session, "deal", deal.id, "sign", people["fay"])
    assert not again.fired  # commercial's earlier vote was discarded with the return


def _refused(session, pack) -> dict[str, str]:
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    return {p.path: p.code for p in refused.value.problems}


def test_import_refuses_a_group_of_an_unknown_role_a_non_user_field_and_too_many_groups(session):
    pack = people_pack()
    sign = pack["modules"][0]["workflow"]["transitions"][1]
    sign["approval"] = {
        "quorum": 3,
        "approvers": [{"role": "comercial"}, {"field": "name"}],
    }
    where = "/modules/0/workflow/transitions/1/approval"
    assert _refused(session, pack) == {
        f"{where}/approvers/0/role": "role_undeclared",
        f"{where}/approvers/1/field": "recipient_not_a_user",
        f"{where}/quorum": "quorum_over_groups",
    }
