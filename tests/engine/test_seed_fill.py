"""A pack's demo fills the fields it adds to a required pack's demo records (`$match` at the
top of a seed record): the labour pack links construction's demo tallies to its roster."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import inspect

from engine.actor import SYSTEM
from engine.errors import DefinitionError
from engine.packs import import_pack
from engine.records import get_record, list_records
from engine.records.query import ListQuery
from tests.engine.sample_pack import sample_pack

CREWS: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "crews",
    "version": "1.0.0",
    "title": {"en": "Crews", "zh-CN": "班组"},
    "requires": {"site": ">=1.0"},
    "modules": [
        {
            "id": "crew",
            "title": {"en": "Crew", "zh-CN": "班组"},
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "tallies": {
                        "type": "integer",
                        "x-rollup": {"module": "labour", "link": "crew", "value": "count()"},
                    },
                    "approved_hours": {
                        "type": "number",
                        "x-scale": 1,
                        "x-rollup": {
                            "module": "labour",
                            "link": "crew",
                            "value": "sum(hours)",
                            "where": "$state == 'approved'",
                        },
                    },
                },
            },
        }
    ],
    "extends": {
        "labour": {
            "fields": {
                "crew": {"type": "string", "x-ref": "crew"},
                "badge": {"type": "string", "maxLength": 10},
            }
        },
    },
    "seed": {
        "crew": [{"$key": "rebar", "name": "Rebar crew"}],
        "labour": [{"$match": {"worker": "Li"}, "crew": {"$seed": "rebar"}, "badge": "R-07"}],
    },
}


def tally(worker: str, hours: int, state: str | None = None) -> dict[str, Any]:
    record = {
        "project": {"$seed": "tower"},
        "date": "2026-03-02",
        "worker": worker,
        "items": [{"task": "Tie bars", "hours": hours, "rate": 40}],
    }
    return {**record, "$state": state} if state else record


def site() -> dict[str, Any]:
    pack = sample_pack()
    pack["seed"] = {
        "project": [{"$key": "tower", "code": "P1", "name": "Tower"}],
        "labour": [tally("Li", 8, "approved"), tally("Li", 3), tally("Wang", 6, "approved")],
    }
    return pack


def crews(**changes: Any) -> dict[str, Any]:
    pack = copy.deepcopy(CREWS)
    for module_id, records in changes.items():
        pack["seed"][module_id] = records
    return pack


def test_the_matched_records_get_the_added_fields_whatever_their_state(session) -> None:
    import_pack(session, site())
    report = import_pack(session, crews())
    assert report.seeded == 1  # the crew; filled records are not created
    tallies = list_records(session, "labour", SYSTEM, ListQuery()).items
    (crew,) = list_records(session, "crew", SYSTEM, ListQuery()).items
    filled = {(r.data["worker"], r.state, r.data.get("crew"), r.data.get("badge")) for r in tallies}
    assert filled == {
        ("Li", "approved", crew.id, "R-07"),  # read-only for users; demo data is written as is
        ("Li", "draft", crew.id, "R-07"),
        ("Wang", "approved", None, None),
    }
    assert {r.data["worker"]: r.version for r in tallies if r.state == "approved"} == {
        "Li": 2,
        "Wang": 1,
    }
    crew = get_record(session, "crew", crew.id, SYSTEM)  # the rollups followed the fill
    assert (crew.data["tallies"], crew.data["approved_hours"]) == (2, 8)


def test_a_fill_matching_no_record_refuses_the_install(session) -> None:
    import_pack(session, site())
    session.commit()
    nobody = [{"$match": {"worker": "Zhou"}, "badge": "X"}]
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, crews(labour=nobody))
    (problem,) = refused.value.problems
    assert (problem.path, problem.code) == ("/seed/labour/0/$match", "seed_match_none")
    session.rollback()
    assert "m_crew" not in inspect(session.connection()).get_table_names()


def test_what_a_fill_may_write_is_checked_at_import(session) -> None:
    import_pack(session, site())
    bad = [
        {"$match": {"worker": "Li"}, "worker": "Lee"},  # construction's own field
        {"$match": {"worker": "Li"}, "$state": "approved", "badge": "much too long"},
        {"$match": {"wroker": "Li"}, "crew": {"$seed": "steel"}},
    ]
    own = [{"$match": {"name": "Rebar crew"}, "name": "Steel crew"}]
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, crews(crew=own, labour=bad))
    found = {(p.path, p.code) for p in refused.value.problems}
    assert found == {
        ("/seed/crew/0/$match", "seed_fill_own_module"),
        ("/seed/labour/0/worker", "seed_fill_not_added"),
        ("/seed/labour/1/$state", "seed_fill_shape"),
        ("/seed/labour/1/badge", "seed_value_invalid"),
        ("/seed/labour/2/$match/wroker", "seed_match_unknown_field"),
        ("/seed/labour/2/crew/$seed", "seed_link_unknown_key"),
    }
    by_code = {p.code: p.message for p in refused.value.problems}
    assert by_code["seed_fill_not_added"].endswith(
        "only the stored fields this pack adds to labour (badge, crew), not 'worker'"
    )
