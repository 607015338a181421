"""Reports across modules and over time: link paths, running totals, the previous period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.actor import SYSTEM, actor
from engine.definitions.checks import check_pack
from engine.definitions.loader import schema_problems
from engine.packs import import_pack
from engine.records import create_record
from engine.reports import run_report
from tests.engine.sample_pack import module, sample_pack

TALLIES = [
    ("P1", "2026-10-03", 4),
    ("P1", "2026-10-20", 2),
    ("P2", "2026-11-01", 3),
    ("P1", "2027-01-05", 5),
]


def _install(session: Any, reports: list[dict[str, Any]], **viewer: Any) -> None:
    pack = sample_pack()
    if viewer:
        module(pack, "project")["permissions"]["viewer"] = viewer
    pack["reports"] += reports
    import_pack(session, pack)
    projects = {
        code: create_record(session, "project", {"code": code, "name": f"Tower {code}"}, SYSTEM)
        for code in ("P1", "P2")
    }
    for code, date, hours in TALLIES:
        data = {
            "project": projects[code].id,
            "date": date,
            "worker": "Lee",
            "items": [{"task": "t", "hours": hours, "rate": "10.00"}],
        }
        create_record(session, "labour", data, SYSTEM)


BY_PROJECT = {
    "id": "by_project",
    "title": "By project",
    "module": "labour",
    "group_by": ["project.code"],
    "measures": {"hours": "sum(hours)", "budget": "max(project.budget)"},
}


def test_a_report_groups_by_a_field_of_the_linked_record(session):
    _install(session, [BY_PROJECT])
    result = run_report(session, "by_project", SYSTEM)
    assert result.columns == ["project_code", "hours", "budget"]
    assert [(r["project_code"], r["hours"]) for r in result.rows] == [
        ("P1", Decimal("11.0")),
        ("P2", Decimal("3.0")),
    ]


def test_a_linked_field_hidden_from_the_reader_is_withheld(session):
    _install(session, [BY_PROJECT], read="all", fields={"code": "hidden"})
    result = run_report(session, "by_project", actor("v", "viewer"))
    assert result.columns == ["hours", "budget"]
    assert result.rows == [{"hours": Decimal("14.0"), "budget": None}]


def test_a_linked_record_outside_the_readers_scope_names_no_group(session):
    _install(session, [BY_PROJECT], read="own")
    result = run_report(session, "by_project", actor("v", "viewer"))
    assert result.rows == [{"project_code": None, "hours": Decimal("14.0"), "budget": None}]


MONTHLY = {
    "id": "monthly",
    "title": "Monthly",
    "module": "labour",
    "group_by": ["month(date)"],
    "measures": {
        "hours": {"value": "sum(hours)", "compare": "previous"},
        "to_date": {"value": "sum(amount)", "cumulative": True},
    },
}


def test_running_total_and_previous_period_by_month(session):
    _install(session, [MONTHLY])
    result = run_report(session, "monthly", SYSTEM)
    assert result.columns == [
        "month",
        "hours",
        "hours_previous",
        "hours_change",
        "hours_change_pct",
        "to_date",
    ]
    assert [
        (r["month"], r["hours"], r["hours_previous"], r["hours_change"], r["hours_change_pct"])
        for r in result.rows
    ] == [
        ("2026-10", Decimal("6.0"), None, None, None),
        ("2026-11", Decimal("3.0"), Decimal("6.0"), Decimal("-3.0"), -50.0),
        ("2027-01", Decimal("5.0"), None, None, None),  # December had nothing: a gap
    ]
    assert [r["to_date"] for r in result.rows] == [
        Decimal("60.00"),
        Decimal("90.00"),
        Decimal("140.00"),
    ]


def test_a_running_total_restarts_for_each_value_of_the_second_group(session):
    report = {
        "id": "balance",
        "title": "Balance",
        "module": "labour",
        "group_by": ["month(date)", "project.code"],
        "measures": {"to_date": {"value": "sum(hours)", "cumulative": True}},
    }
    _install(session, [report])
    rows = run_report(session, "balance", SYSTEM).rows
    assert [(r["month"], r["project_code"], r["to_date"]) for r in rows] == [
        ("2026-10", "P1", Decimal("6.0")),
        ("2026-11", "P2", Decimal("3.0")),
        ("2027-01", "P1", Decimal("11.0")),
    ]


def test_year_over_year(session):
    report = {
        "id": "yearly",
        "title": "Yearly",
        "module": "labour",
        "group_by": ["year(date)"],
        "measures": {"lines": {"value": "count()", "compare": "previous"}},
    }
    _install(session, [report])
    rows = run_report(session, "yearly", SYSTEM).rows
    assert rows == [
        {
            "year": 2026,
            "lines": 3,
            "lines_previous": None,
            "lines_change": None,
            "lines_change_pct": None,
        },
        {
            "year": 2027,
            "lines": 1,
            "lines_previous": 3,
            "lines_change": -2,
            "lines_change_pct": -66.7,
        },
    ]


@pytest.mark.parametrize(
    ("report", "located"),
    [
        (
            {"group_by": [], "measures": {"h": {"value": "sum(hours)", "cumulative": True}}},
            ("/reports/1/measures/h/cumulative", "report_cumulative_ungrouped"),
        ),
        (
            {"group_by": ["trade"], "measures": {"h": {"value": "count()", "compare": "previous"}}},
            ("/reports/1/measures/h/compare", "report_compare_not_period"),
        ),
        (
            {"group_by": ["worker.code"], "measures": {"h": "count()"}},
            ("/reports/1/group_by/0", "unknown_name"),
        ),
    ],
)
def test_what_a_report_cannot_follow_or_order_is_refused_at_import(
    report: dict[str, Any], located: tuple[str, str]
) -> None:
    pack = sample_pack()
    pack["reports"].append({"id": "bad", "title": "Bad", "module": "labour", **report})
    assert located in [(p.path, p.code) for p in check_pack(pack)]


@pytest.mark.parametrize(
    "measure",
    [
        {"value": "sum(hours)", "compare": "next"},
        {"value": "sum(hours)", "cumulative": "yes"},
        {"cumulative": True},
        {"value": "sum(hours)", "running": True},
    ],
)
def test_the_meta_schema_refuses_a_measure_object_it_does_not_know(measure: Any) -> None:
    pack = sample_pack()
    pack["reports"][0]["measures"]["hours"] = measure
    problems = schema_problems(pack)
    assert len(problems) == 1 and problems[0].path.startswith("/reports/0/measures/hours")
