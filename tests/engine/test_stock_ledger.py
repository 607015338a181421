"""A report over several sources: the materials pack's stock ledger unions received receipt
lines (+qty) and issued issue lines (−qty) into one running balance per project × material,
and a pack whose sources do not fit together is refused at import, at the place."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from engine.actor import SYSTEM, Actor
from engine.definitions.checks import check_pack
from engine.definitions.loader import schema_problems
from engine.packs import import_pack
from engine.records import create_record
from engine.reports import run_report
from tests.engine.people import make_user
from tests.engine.sample_pack import sample_pack
from tests.engine.test_pack_materials import MODULES, by_code, people, stock

__all__ = ["people"]  # the materials fixture, used by the tests below

D = Decimal


def ledger(session: Any, who: Actor) -> list[tuple[str, str, Decimal, Decimal, Decimal]]:
    codes = {r.id: code for code, r in by_code(session, "material", "code", who).items()}
    rows = run_report(session, "stock_ledger", who).rows
    return [
        (str(r["date"]), codes[r["material"]], r["received"], r["issued"], r["balance"])
        for r in rows
    ]


def test_the_ledger_runs_each_materials_balance_by_day(session, people) -> None:
    zhao = people["zhao"]
    assert ledger(session, zhao) == [
        ("2026-03-05", "GJ-HRB400-16", D("35.00"), D("0.00"), D("35.00")),
        ("2026-03-05", "GJ-HRB400-25", D("40.00"), D("0.00"), D("40.00")),
        ("2026-03-07", "GJ-HRB400-16", D("0.00"), D("20.00"), D("15.00")),  # 35 − 20
        ("2026-03-07", "GJ-HRB400-25", D("0.00"), D("15.00"), D("25.00")),  # 40 − 15
        ("2026-03-10", "MB-FM18", D("800.00"), D("0.00"), D("800.00")),
        ("2026-03-12", "MB-FM18", D("0.00"), D("450.00"), D("350.00")),  # 800 − 450
        ("2026-03-20", "GJ-HRB400-16", D("0.00"), D("12.00"), D("3.00")),  # 15 − 12
        ("2026-03-20", "GJ-HRB400-25", D("0.00"), D("10.00"), D("15.00")),  # 25 − 10
        # the cement receipt of 04-15 is a draft and the issue of 04-08 only submitted
        ("2026-04-02", "SN-PO425", D("80.00"), D("0.00"), D("80.00")),
        ("2026-04-03", "GJ-HRB400-16", D("25.00"), D("0.00"), D("28.00")),  # 3 + 25
        ("2026-04-05", "SN-PO425", D("0.00"), D("55.00"), D("25.00")),  # 80 − 55
        ("2026-04-10", "GJ-HRB400-16", D("0.00"), D("16.00"), D("12.00")),  # 28 − 16
    ]
    rows = run_report(session, "stock_ledger", zhao).rows
    project = {r["project"] for r in rows}
    assert project == {by_code(session, "project", "code", zhao)["PRJ-2026-001"].id}
    last = {code: balance for _day, code, _in, _out, balance in ledger(session, zhao)}
    # each material's last balance is its stock card's on hand, kept by the engine
    assert last == {code: on_hand for code, (_r, _i, on_hand) in stock(session, zhao).items()}


def test_a_reader_who_may_not_read_issues_sees_only_receipts(session) -> None:
    import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
    pack = json.loads((MODULES / "materials.json").read_text(encoding="utf-8"))
    issue = next(m for m in pack["modules"] if m["id"] == "stock_issue")
    del issue["permissions"]["viewer"]
    import_pack(session, pack)
    sun = make_user(session, "sun", "viewer")
    rebar = [row for row in ledger(session, sun) if row[1] == "GJ-HRB400-16"]
    assert rebar == [
        ("2026-03-05", "GJ-HRB400-16", D("35.00"), D("0.00"), D("35.00")),
        ("2026-04-03", "GJ-HRB400-16", D("25.00"), D("0.00"), D("60.00")),
    ]


def _sources(*sources: dict[str, Any], **report: Any) -> dict[str, Any]:
    pack = sample_pack()
    pack["reports"].append(
        {
            "id": "by_day",
            "title": "By day",
            "module": "labour",
            "sources": list(sources),
            "group_by": ["day"],
            "measures": {"h": {"value": "sum(h)", "cumulative": True}},
            **report,
        }
    )
    return pack


LABOUR = {"values": {"day": "date", "h": "hours"}}


@pytest.mark.parametrize(
    ("source", "report", "located"),
    [
        (
            {"module": "labor", "values": {"day": "date", "h": "hours"}},
            {},
            ("/reports/1/sources/1/module", "report_unknown_module"),
        ),
        (
            {"values": {"day": "date", "h": "hourz"}},
            {},
            ("/reports/1/sources/1/values/h", "unknown_name"),
        ),
        (
            {"values": {"h": "hours", "n": "1"}},
            {},
            ("/reports/1/sources/1/values", "report_source_names_differ"),
        ),
        (
            {"values": {"day": "worker", "h": "hours"}},
            {},
            ("/reports/1/sources/1/values/day", "report_source_type_differs"),
        ),
        (
            {"rows": "itemz", "values": {"day": "date", "h": "hours"}},
            {},
            ("/reports/1/sources/1/rows", "report_rows_unknown"),
        ),
        (
            LABOUR,
            {"group_by": ["trade"]},
            ("/reports/1/group_by/0", "unknown_name"),
        ),
        (
            LABOUR,
            {"measures": {"h": {"value": "sum(h)", "compare": "previous"}}},
            ("/reports/1/measures/h/compare", "report_sources_compare"),
        ),
    ],
)
def test_sources_that_do_not_fit_together_are_refused_at_import(
    source: dict[str, Any], report: dict[str, Any], located: tuple[str, str]
) -> None:
    pack = _sources(LABOUR, source, **report)
    assert located in [(p.path, p.code) for p in check_pack(pack)]


def test_sources_that_fit_are_accepted_and_rows_beside_sources_is_not() -> None:
    pack = _sources(LABOUR, {"module": "labour", "values": {"day": "date", "h": "-hours"}})
    assert check_pack(pack) == []
    pack["reports"][1]["rows"] = "items"
    assert [p.path for p in schema_problems(pack)] == ["/reports/1"]


def test_each_source_keeps_its_modules_scope_and_hidden_fields(session) -> None:
    pack = _sources(
        {"values": {"worker": "worker", "h": "hours", "a": "amount"}},
        {"rows": "items", "values": {"worker": "worker", "h": "hours", "a": "hours * rate"}},
        group_by=["worker"],
        measures={"h": "sum(h)", "a": "sum(a)"},
    )
    import_pack(session, pack)
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    lee = make_user(session, "lee", "foreman")
    sun = make_user(session, "sun", "viewer")
    for who, hours in ((SYSTEM, 4), (SYSTEM, 3), (lee, 7)):
        items = [{"task": "t", "hours": hours, "rate": "10.00"}]
        data = {"project": project.id, "date": "2026-03-02", "worker": "Lee", "items": items}
        create_record(session, "labour", data, who)
    everything = run_report(session, "by_day", SYSTEM)
    assert [(r["h"], r["a"]) for r in everything.rows] == [(28, 280)]  # (4 + 3 + 7) × 2
    own = run_report(session, "by_day", lee)  # a foreman reads his own tallies only
    assert [(r["h"], r["a"]) for r in own.rows] == [(14, 140)]
    hidden = run_report(session, "by_day", sun)  # amount is hidden from viewers
    assert hidden.columns == ["worker", "h"] and hidden.rows == [{"worker": "Lee", "h": 28}]


def test_a_whole_number_unions_with_a_decimal_at_its_scale(session) -> None:
    pack = _sources(
        {"values": {"worker": "worker", "h": "hours"}},
        {"values": {"worker": "worker", "h": "1"}},  # one more hour per tally
        group_by=["worker"],
        measures={"h": "sum(h)"},
    )
    import_pack(session, pack)
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    for hours in ("4.5", "3"):
        items = [{"task": "t", "hours": hours, "rate": "10.00"}]
        data = {"project": project.id, "date": "2026-03-02", "worker": "Lee", "items": items}
        create_record(session, "labour", data, SYSTEM)
    (row,) = run_report(session, "by_day", SYSTEM).rows
    assert row["h"] == Decimal("9.5")  # 4.5 + 3 + 1 + 1, not 1 as a hundredth
