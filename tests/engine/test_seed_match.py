"""Demo records that reach another pack's records (`$match`) and seed a module they extend."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import inspect

from engine.actor import SYSTEM
from engine.errors import DefinitionError
from engine.packs import import_pack
from engine.records import list_records
from engine.records.query import ListQuery
from tests.engine.sample_pack import sample_pack

CONTRACTS: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "contracts",
    "version": "1.0.0",
    "title": {"en": "Contracts", "zh-CN": "合同"},
    "requires": {"site": ">=1.0"},
    "modules": [
        {
            "id": "contract",
            "title": {"en": "Contract", "zh-CN": "合同"},
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "project": {"type": "string", "x-ref": "project"},
                },
            },
        }
    ],
    "extends": {
        "labour": {"fields": {"contract": {"type": "string", "x-ref": "contract"}}},
    },
    "seed": {
        "contract": [{"$key": "main", "name": "Main works", "project": {"$match": {"code": "P2"}}}],
        "labour": [
            {
                "project": {"$match": {"code": "P2"}},
                "date": "2026-03-02",
                "worker": "Li",
                "contract": {"$seed": "main"},
            }
        ],
    },
}


def site_with_projects(*codes: str, name: str = "Tower") -> dict[str, Any]:
    pack = sample_pack()
    pack["seed"] = {"project": [{"code": code, "name": name} for code in codes]}
    return pack


def contracts(match: dict[str, Any] | None = None) -> dict[str, Any]:
    pack = copy.deepcopy(CONTRACTS)
    if match is not None:
        pack["seed"]["contract"][0]["project"] = {"$match": match}
    return pack


def rows(session: Any, module: str) -> list[dict[str, Any]]:
    return [
        {**r.data, "id": r.id} for r in list_records(session, module, SYSTEM, ListQuery()).items
    ]


def test_seed_links_a_required_packs_record_and_seeds_a_module_it_extends(session):
    import_pack(session, site_with_projects("P1", "P2"))
    report = import_pack(session, contracts())
    assert report.seeded == 2
    projects = {p["code"]: p for p in rows(session, "project")}
    (deal,) = rows(session, "contract")
    assert deal["project"] == projects["P2"]["id"]
    (tally,) = rows(session, "labour")
    assert tally["project"] == projects["P2"]["id"]
    assert tally["contract"] == deal["id"]


def test_a_match_finding_no_record_or_several_refuses_the_install_at_its_place(session):
    import_pack(session, site_with_projects("P1", "P3"))
    session.commit()
    with pytest.raises(DefinitionError) as none:
        import_pack(session, contracts())
    (problem,) = none.value.problems
    assert (problem.path, problem.code) == ("/seed/contract/0/project/$match", "seed_match_none")
    assert "no project record has {'code': 'P2'}" in problem.message
    session.rollback()  # what the command line and the admin page do with a refused import
    assert "m_contract" not in inspect(session.connection()).get_table_names()
    with pytest.raises(DefinitionError) as many:
        import_pack(session, contracts({"name": "Tower"}))
    assert [p.code for p in many.value.problems] == ["seed_match_many"]
    session.rollback()
    tables = inspect(session.connection()).get_table_names()
    assert "m_contract" not in tables
    assert "contract" not in {
        c["name"] for c in inspect(session.connection()).get_columns("m_labour")
    }


def test_a_match_on_an_unknown_or_computed_field_is_an_import_problem(session):
    import_pack(session, site_with_projects("P2"))
    with pytest.raises(DefinitionError) as bad:
        import_pack(session, contracts({"cod": "P2", "tally_count": 1}))
    found = {(p.path, p.code) for p in bad.value.problems}
    assert found == {
        ("/seed/contract/0/project/$match/cod", "seed_match_unknown_field"),
        ("/seed/contract/0/project/$match/tally_count", "seed_match_unknown_field"),
    }
    with pytest.raises(DefinitionError) as empty:
        import_pack(session, contracts({}))
    assert [p.code for p in empty.value.problems] == ["seed_match_shape"]
