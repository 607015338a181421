"""A pack that requires the site pack and extends its labour and project modules.

A contracts pack adds a `contract` link, a list column, a role's rights and a project rollup
to modules the site pack owns; the owner's upgrade keeps them, its downgrade is refused.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import inspect

from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.errors import DefinitionError, UpgradeRefused
from engine.packs import import_pack
from engine.packs.history import restore_pack
from engine.records import create_record, get_record, list_records
from engine.records.query import Filter, ListQuery
from tests.engine.sample_pack import module, sample_pack

CONTRACTS: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "contracts",
    "version": "1.0.0",
    "title": {"en": "Contracts", "zh-CN": "合同"},
    "requires": {"site": ">=1.0"},
    "roles": [{"id": "commercial", "title": {"en": "Commercial", "zh-CN": "商务"}}],
    "modules": [
        {
            "id": "contract",
            "title": {"en": "Contract", "zh-CN": "合同"},
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            },
            "permissions": {"commercial": {"read": "all", "create": True}},
        }
    ],
    "extends": {
        "labour": {
            "fields": {
                "contract": {"type": "string", "x-ref": "contract", "title": "Contract"},
            },
            "list": {"columns": ["contract"], "filters": ["contract"]},
            "permissions": {
                "commercial": {"read": "all"},
                "viewer": {"fields": {"contract": "hidden"}},
            },
        },
        "project": {
            "fields": {
                "tally_total": {
                    "type": "integer",
                    "x-rollup": {"module": "labour", "link": "project", "value": "count()"},
                }
            }
        },
    },
}


def contracts(**changes: Any) -> dict[str, Any]:
    pack = copy.deepcopy(CONTRACTS)
    pack.update(changes)
    return pack


def columns(session: Any, table: str) -> set[str]:
    return {c["name"] for c in inspect(session.connection()).get_columns(table)}


def codes(exc: pytest.ExceptionInfo[Any]) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in exc.value.problems]


def test_extension_adds_a_stored_link_a_column_and_a_rollup(session):
    import_pack(session, sample_pack())
    report = import_pack(session, contracts())
    assert report.action == "installed"
    assert "contract" in columns(session, "m_labour")
    assert "tally_total" in columns(session, "m_project")
    labour = load_catalog(session).module("labour")
    assert labour.pack_id == "site"
    assert "contract" in labour.ui.list.columns and "contract" in labour.ui.list.filters
    assert labour.permissions["commercial"].read == "all"

    deal = create_record(session, "contract", {"name": "Main works"}, SYSTEM).id
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM).id
    data = {"project": project, "date": "2026-03-01", "worker": "Li", "contract": deal}
    tally = create_record(session, "labour", data, SYSTEM).id
    assert get_record(session, "labour", tally, SYSTEM).data["contract"] == deal
    query = ListQuery(filters=(Filter("contract", "eq", deal),))
    filtered = list_records(session, "labour", SYSTEM, query)
    assert [r.id for r in filtered.items] == [tally]
    assert get_record(session, "project", project, SYSTEM).data["tally_total"] == 1


def test_missing_or_too_old_dependency_is_refused_naming_it(session):
    with pytest.raises(DefinitionError) as missing:
        import_pack(session, contracts())
    assert ("/requires/site", "requires_missing") in codes(missing)
    import_pack(session, sample_pack())
    with pytest.raises(DefinitionError) as old:
        import_pack(session, contracts(requires={"site": ">=2.0"}))
    assert ("/requires/site", "requires_version") in codes(old)
    assert old.value.problems[0].params["installed"] == "1.0.0"
    assert "contract" not in columns(session, "m_labour")


def test_extension_colliding_or_breaking_the_owner_is_located(session):
    import_pack(session, sample_pack())
    pack = contracts()
    pack["extends"]["labour"]["fields"]["worker"] = {"type": "integer"}
    pack["extends"]["labour"]["list"]["columns"].append("nowhere")
    with pytest.raises(DefinitionError) as taken:
        import_pack(session, pack)
    found = codes(taken)
    assert ("/extends/labour/fields/worker", "extension_field_taken") in found
    with pytest.raises(DefinitionError) as unrequired:
        import_pack(session, contracts(requires={}))
    assert set(codes(unrequired)) == {
        ("/extends/labour", "extends_not_required"),
        ("/extends/project", "extends_not_required"),
    }
    pack = contracts()
    pack["extends"]["labour"]["list"]["columns"].append("nowhere")
    with pytest.raises(DefinitionError) as broken:
        import_pack(session, pack)
    paths = [path for path, _ in codes(broken)]
    assert paths and all(p.startswith("/extends/labour/list/columns") for p in paths)
    assert "contract" not in columns(session, "m_labour")


def test_owner_upgrade_keeps_the_extension_and_downgrade_is_refused(session):
    import_pack(session, sample_pack())
    import_pack(session, contracts())
    newer = sample_pack(version="1.1.0")
    module(newer, "labour")["schema"]["properties"]["shift"] = {"type": "string"}
    import_pack(session, newer)
    labour = load_catalog(session).module("labour")
    assert {"contract", "shift"} <= set(labour.field_map)
    assert {"contract", "shift"} <= columns(session, "m_labour")

    clash = sample_pack(version="1.2.0")
    module(clash, "labour")["schema"]["properties"]["contract"] = {"type": "string"}
    with pytest.raises(DefinitionError) as taken:
        import_pack(session, clash)
    path = "/modules/1/schema/properties/contract"
    assert (path, "field_taken_by_extension") in codes(taken)

    import_pack(session, contracts(version="1.1.0", requires={"site": ">=1.1"}))
    with pytest.raises(DefinitionError) as downgrade:
        restore_pack(session, "site", "1.0.0", by=None)
    assert ("/version", "required_by") in codes(downgrade)
    assert load_catalog(session).packs["site"].version == "1.1.0"


def test_dropping_an_extension_field_with_data_needs_migrate_drop(session):
    import_pack(session, sample_pack())
    import_pack(session, contracts())
    deal = create_record(session, "contract", {"name": "Main works"}, SYSTEM).id
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM).id
    data = {"project": project, "date": "2026-03-01", "worker": "Li", "contract": deal}
    create_record(session, "labour", data, SYSTEM)
    without = contracts(version="1.1.0")
    del without["extends"]["labour"]["fields"]
    without["extends"]["labour"]["list"] = {"columns": ["worker"]}
    without["extends"]["labour"]["permissions"] = {"commercial": {"read": "all"}}
    with pytest.raises(UpgradeRefused) as refused:
        import_pack(session, without)
    assert [p.code for p in refused.value.problems] == ["field_removed_with_values"]
    assert refused.value.problems[0].path.startswith("/extends/labour")
    without["extends"]["labour"]["migrate"] = {"drop": ["contract"]}
    import_pack(session, without)
    assert "contract" not in columns(session, "m_labour")
    assert "contract" not in load_catalog(session).module("labour").field_map


def test_an_unreadable_range_or_an_unknown_extension_key_is_refused(session):
    import_pack(session, sample_pack())
    with pytest.raises(DefinitionError) as unreadable:
        import_pack(session, contracts(requires={"site": "one or two"}))
    assert codes(unreadable) == [("/requires/site", "requires_invalid")]
    pack = contracts()
    pack["extends"]["labour"]["workflow"] = {}
    with pytest.raises(DefinitionError) as unknown:
        import_pack(session, pack)
    assert codes(unknown) == [("/extends/labour", "unknown_key")]
    with pytest.raises(DefinitionError) as own:
        import_pack(session, contracts(extends={"contract": {"list": {"columns": ["name"]}}}))
    assert codes(own) == [("/extends/contract", "extends_own_module")]


def test_owner_upgrade_is_checked_with_the_extensions_it_carries(session):
    import_pack(session, sample_pack())
    import_pack(session, contracts())
    newer = sample_pack(version="1.1.0")
    newer["roles"] = [r for r in newer["roles"] if r["id"] != "viewer"]
    for owned in newer["modules"]:
        owned["permissions"].pop("viewer")
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, newer)
    assert [path for path, _ in codes(refused)] == ["/modules/1/permissions/viewer"]
    assert load_catalog(session).packs["site"].version == "1.0.0"
