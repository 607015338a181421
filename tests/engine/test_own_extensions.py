"""A pack reads what it adds to another pack's module; validations read a record's own rollups.

The contracts pack adds `contract` to a module of the site pack and sums over it in a rollup
and a report of its own; a contract's rule compares a field with its own stored rollup, on
create (nothing linked yet) and on update (the stored figure).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.actor import SYSTEM
from engine.errors import DefinitionError, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, get_record, update_record
from engine.reports import run_report
from tests.engine.sample_pack import sample_pack
from tests.engine.test_pack_extends import CONTRACTS


def contracts_summing_labour() -> dict[str, Any]:
    pack = copy.deepcopy(CONTRACTS)
    contract = pack["modules"][0]
    contract["schema"]["properties"].update(
        {
            "cap": {"type": "integer"},
            "tallies": {
                "type": "integer",
                "x-rollup": {"module": "labour", "link": "contract", "value": "count()"},
            },
        }
    )
    contract["validations"] = [
        {
            "when": "cap == null or cap >= coalesce(tallies, 0)",
            "fields": ["cap"],
            "message": {"en": "Below the tallies already linked.", "zh-CN": "低于已关联的记工数。"},
        }
    ]
    pack["reports"] = [
        {
            "id": "tallies_by_contract",
            "title": {"en": "Tallies by contract", "zh-CN": "按合同记工"},
            "module": "labour",
            "group_by": ["contract"],
            "measures": {"tallies": "count()"},
        }
    ]
    return pack


def tally(session: Any, contract_id: str) -> None:
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM).id
    data = {"project": project, "date": "2026-03-02", "worker": "Wang", "contract": contract_id}
    create_record(session, "labour", data, SYSTEM)


def test_a_rollup_and_a_report_over_the_field_the_pack_adds(session: Any) -> None:
    import_pack(session, sample_pack())
    import_pack(session, contracts_summing_labour())
    contract = create_record(session, "contract", {"name": "Rebar", "cap": 0}, SYSTEM)
    tally(session, contract.id)
    tally(session, contract.id)
    assert get_record(session, "contract", contract.id, SYSTEM).data["tallies"] == 2
    rows = run_report(session, "tallies_by_contract", SYSTEM).rows
    assert [(r["contract"], r["tallies"]) for r in rows] == [(contract.id, 2)]


def test_without_the_extension_the_rollup_is_refused(session: Any) -> None:
    import_pack(session, sample_pack())
    pack = contracts_summing_labour()
    del pack["extends"]["labour"]
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    paths = [p.path for p in refused.value.problems]
    assert "/modules/0/schema/properties/tallies/x-rollup/link" in paths


def test_a_validation_reads_the_records_own_rollup(session: Any) -> None:
    import_pack(session, sample_pack())
    import_pack(session, contracts_summing_labour())
    contract = create_record(session, "contract", {"name": "Rebar", "cap": 1}, SYSTEM)
    tally(session, contract.id)
    tally(session, contract.id)
    stored = get_record(session, "contract", contract.id, SYSTEM)
    with pytest.raises(ValidationFailed) as refused:  # two tallies are linked already
        update_record(session, "contract", contract.id, stored.version, {"cap": 1}, SYSTEM)
    assert [(p.path, p.code) for p in refused.value.problems] == [("/cap", "rule_message")]
    update_record(session, "contract", contract.id, stored.version, {"cap": 2}, SYSTEM)


def claims(rule: dict[str, Any]) -> dict[str, Any]:
    """A second pack giving the contracts' commercial role a rule on the site's labour."""
    return {
        "format": "formwork.pack/1",
        "id": "claims",
        "version": "1.0.0",
        "title": {"en": "Claims", "zh-CN": "索赔"},
        "requires": {"site": ">=1.0"},
        "roles": [{"id": "commercial", "title": {"en": "Commercial", "zh-CN": "商务"}}],
        "modules": [
            {
                "id": "claim",
                "title": {"en": "Claim", "zh-CN": "索赔"},
                "schema": {"type": "object", "properties": {"name": {"type": "string"}}},
            }
        ],
        "extends": {"labour": {"permissions": {"commercial": rule}}},
    }


def test_two_packs_may_give_a_role_the_same_rights(session: Any) -> None:
    import_pack(session, sample_pack())
    import_pack(session, copy.deepcopy(CONTRACTS))  # commercial reads all labour
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, claims({"read": "own"}))
    codes = [(p.path, p.code) for p in refused.value.problems]
    assert codes == [("/extends/labour/permissions/commercial", "extension_role_taken")]
    import_pack(session, claims({"read": "all", "fields": {"worker": "hidden"}}))


def with_rule(when: str) -> dict[str, Any]:
    """The contracts pack adding a rule to the site's labour: a tally's worker is named."""
    pack = copy.deepcopy(CONTRACTS)
    pack["extends"]["labour"]["validations"] = [
        {"when": when, "fields": ["contract"],
         "message": {"en": "Name the worker under contract.", "zh-CN": "请填写合同工人。"}}
    ]  # fmt: skip
    return pack


def test_an_extension_adds_a_validation_to_the_owners_module(session: Any) -> None:
    import_pack(session, sample_pack())
    import_pack(session, with_rule("contract == null or worker != 'nobody'"))
    deal = create_record(session, "contract", {"name": "Rebar"}, SYSTEM).id
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM).id
    data = {"project": project, "date": "2026-03-02", "worker": "nobody", "contract": deal}
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "labour", data, SYSTEM)
    assert [(p.path, p.code) for p in refused.value.problems] == [("/contract", "rule_message")]
    create_record(session, "labour", {**data, "contract": None}, SYSTEM)


def test_an_extensions_validation_is_checked_at_its_place(session: Any) -> None:
    import_pack(session, sample_pack())
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, with_rule("contract == null or wroker != 'nobody'"))
    paths = [p.path for p in refused.value.problems]
    assert paths == ["/extends/labour/validations/0/when"]
