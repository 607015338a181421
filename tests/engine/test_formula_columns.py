"""A formula over rollups is a list column, a filter, a sort, a total and a report figure
like the rollups it reads: the database computes it from their stored columns.

A project's `used_pct = actual / budget * 100` reads the stored rollup `actual` (the amount
of its approved tallies). P1: 50 of 200 → 25.0; P2: 100 of 300 → 33.3; P3: budget 0 and
P4: no budget → no value (a division by zero is empty, as when read).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.actor import SYSTEM, actor
from engine.errors import DefinitionError
from engine.packs import import_pack
from engine.records import create_record
from engine.records.query import ListQuery, build_filter, list_records
from engine.reports import run_report
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.sample_pack import module, sample_pack

FOREMAN = actor("lee", "foreman")


def pct_pack() -> dict[str, Any]:
    pack = sample_pack()
    project = module(pack, "project")
    project["schema"]["properties"]["used_pct"] = {
        "type": "number",
        "x-scale": 1,
        "x-formula": "actual / budget * 100",
    }
    project["ui"]["list"] |= {
        "columns": ["code", "budget", "actual", "used_pct"],
        "totals": ["actual", "used_pct"],
        "filters": ["used_pct"],
    }
    pack["reports"].append(
        {
            "id": "by_use",
            "title": {"en": "Projects by budget used", "zh-CN": "按预算使用率"},
            "module": "project",
            "group_by": ["used_pct"],
            "measures": {"projects": "count()", "pct": "sum(used_pct)", "actual": "sum(actual)"},
        }
    )
    return pack


def spend(session, project: str, amount: str) -> None:
    items = [{"task": "t", "hours": "1", "rate": amount}]
    data = {"project": project, "date": "2026-03-02", "worker": "Wang", "items": items}
    tally = create_record(session, "labour", data, FOREMAN)
    apply_transition(session, "labour", tally.id, "submit", FOREMAN)
    apply_transition(session, "labour", tally.id, "approve", SYSTEM)


@pytest.fixture
def projects(session):
    import_pack(session, pct_pack())
    made = {}
    for code, budget, amount in (("P1", "200", "50"), ("P2", "300", "100"), ("P3", "0", "10")):
        made[code] = create_record(
            session, "project", {"code": code, "name": code, "budget": budget}, SYSTEM
        ).id
        spend(session, made[code], amount)
    made["P4"] = create_record(session, "project", {"code": "P4", "name": "P4"}, SYSTEM).id
    return made


def page(session, reader, sort: str = "code", **filters: str):
    project = (
        __import__("engine.catalog", fromlist=["load_catalog"])
        .load_catalog(session)
        .module("project")
    )
    built = tuple(
        build_filter(project, "used_pct", op, value, {"used_pct"}) for op, value in filters.items()
    )
    return list_records(session, "project", reader, ListQuery(filters=built, sort=(sort,)))


def test_the_list_shows_sorts_filters_and_totals_the_formula(session, projects):
    everything = page(session, SYSTEM)
    shown = {r.data["code"]: r.data["used_pct"] for r in everything.items}
    assert shown == {"P1": Decimal("25.0"), "P2": Decimal("33.3"), "P3": None, "P4": None}
    assert everything.totals["used_pct"] == Decimal("58.3")
    assert everything.totals["actual"] == Decimal("160.00")
    ranked = page(session, SYSTEM, sort="-used_pct", gte="0")
    assert [r.data["code"] for r in ranked.items] == ["P2", "P1"]
    assert [r.data["code"] for r in page(session, SYSTEM, gte="30").items] == ["P2"]
    assert [r.data["code"] for r in page(session, SYSTEM, lt="33.3").items] == ["P1"]
    assert page(session, SYSTEM, gte="25", lte="25").total == 1  # exactly as shown


def test_a_report_groups_and_sums_by_the_formula(session, projects):
    rows = run_report(session, "by_use", SYSTEM).rows
    got = {r["used_pct"]: (r["projects"], r["pct"], r["actual"]) for r in rows}
    assert got == {
        Decimal("25.0"): (1, Decimal("25.0"), Decimal("50.00")),
        Decimal("33.3"): (1, Decimal("33.3"), Decimal("100.00")),
        None: (2, Decimal("0.0"), Decimal("10.00")),  # a report's sum of no values is 0
    }


def test_a_reader_who_may_not_see_the_rollup_gets_no_figure_from_the_formula(session, projects):
    viewer = make_user(session, "vic", "viewer")  # tallies' amounts are hidden from viewers
    seen = page(session, viewer)
    assert {r.data.get("used_pct") for r in seen.items} == {None}
    assert seen.totals.get("used_pct") is None
    assert page(session, viewer, gte="0").total == 0  # a filter finds nothing withheld
    rows = run_report(session, "by_use", viewer).rows
    assert [(r["used_pct"], r["projects"], r["pct"]) for r in rows] == [(None, 4, Decimal("0.0"))]


def test_a_formula_over_the_clock_is_still_refused_where_the_database_computes(session):
    pack = pct_pack()
    fields = module(pack, "project")["schema"]["properties"]
    fields["used_pct"]["x-formula"] = "actual / budget * 100 + days_between(today(), today())"
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    found = {(p.path, p.code) for p in refused.value.problems}
    assert ("/modules/0/ui/list/filters/0", "read_time_in_database") in found
