"""The bundled inspections pack (modules/inspections.json), as a site team uses it: each
notice points at one finding of its inspection and reads it; deadlines counted from the
inspection date; open notices kept on the inspection; the workflow walked with the right and
the wrong roles; overdue from the deadline; the statistics as hand-computed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from engine.actor import Actor
from engine.catalog import load_catalog
from engine.errors import (
    CommentRequired,
    FinalState,
    GuardFailed,
    MissingFields,
    NotFound,
    PermissionDenied,
    RoleRequired,
    ValidationFailed,
    WrongState,
)
from engine.packs import import_pack
from engine.records import create_record, get_record, list_records, update_record
from engine.reports import run_report
from engine.workflow import apply_transition
from engine.workflow.due import is_overdue
from engine.workflow.inbox import inbox
from tests.engine.people import make_user

MODULES = Path(__file__).resolve().parents[2] / "modules"
UTC = dt.UTC


def install(session: Any) -> None:
    for name in ("construction", "inspections"):  # inspections name construction's projects
        import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def people(session: Any) -> dict[str, Actor]:
    install(session)
    return {
        "zhao": make_user(session, "zhao", "site_manager"),
        "wu": make_user(session, "wu", "site_manager"),
        "lee": make_user(session, "lee", "foreman"),
        "sun": make_user(session, "sun", "viewer"),
        "qian": make_user(session, "qian", "accountant"),
    }


# notice → (state, inspection, finding, severity, deadline = inspection date + days)
NOTICES = {
    "ZG-0001": ("closed", "INS-0001", 1, "minor", "2026-10-20"),  # 10-15 + 5
    "ZG-0002": ("closed", "INS-0002", 1, "major", "2026-11-04"),  # 11-03 + 1
    "ZG-0003": ("closed", "INS-0002", 2, "minor", "2026-11-06"),  # 11-03 + 3
    "ZG-0004": ("rectified", "INS-0002", 3, "critical", "2026-11-05"),  # 11-03 + 2
    "ZG-0005": ("issued", "INS-0003", 1, "major", "2026-11-15"),  # 11-12 + 3
    "ZG-0006": ("closed", "INS-0003", 2, "minor", "2026-11-14"),  # 11-12 + 2
    "ZG-0007": ("issued", "INS-0004", 1, "major", "2026-11-25"),  # 11-24 + 1
    "ZG-0008": ("rectified", "INS-0004", 2, "minor", "2026-11-27"),  # 11-24 + 3
}


def _inspections(session: Any, reader: Actor) -> dict[str, Any]:
    return {r.number: r for r in list_records(session, "inspection", reader).items}


def test_the_demo_notices_read_their_findings_on_riverside_garden(session, people) -> None:
    zhao = people["zhao"]
    inspections = _inspections(session, zhao)
    by_id = {r.id: r.number for r in inspections.values()}
    project = {r.data["project"] for r in inspections.values()}
    assert len(project) == 1
    found = {}
    for notice in list_records(
        session,
        "rectification",
        zhao,
    ).items:
        d = notice.data
        found[notice.number] = (
            notice.state, by_id[d["inspection"]], d["finding"], d["severity"],
            d["deadline"].isoformat(),
        )  # fmt: skip
        assert d["project"] in project  # x-default: inspection.project
    assert found == NOTICES
    notice = get_record(session, "rectification", _id(session, zhao, "ZG-0005"), zhao)
    assert notice.titles["finding"] == (
        "INS-0003 · 1 · 梁柱节点箍筋加密区间距不足 Stirrups too far apart at beam–column joints"
    )
    assert notice.data["required_action"].startswith("返工绑扎后重新报验")


def _id(session: Any, reader: Actor, number: str) -> str:
    page = list_records(session, "rectification", reader)
    return next(r.id for r in page.items if r.number == number)


def test_each_inspection_keeps_its_open_notices(session, people) -> None:
    inspections = _inspections(session, people["sun"])
    counts = {n: (r.state, r.data["open_findings"]) for n, r in inspections.items()}
    assert counts == {
        "INS-0001": ("closed", 0),
        "INS-0002": ("open", 1),  # ZG-0004 awaits re-inspection
        "INS-0003": ("open", 1),  # ZG-0005 issued
        "INS-0004": ("open", 2),  # ZG-0007 issued, ZG-0008 rectified
    }


def test_findings_by_category_and_severity_and_by_month(session, people) -> None:
    result = run_report(session, "findings_by_category", people["sun"])
    cells = {(r["category"], r["severity"]): r["findings"] for r in result.rows}
    assert cells == {
        ("concrete", "minor"): 1, ("edge_protection", "major"): 1,
        ("electrical", "minor"): 1, ("scaffolding", "critical"): 1, ("rebar", "major"): 1,
        ("formwork", "minor"): 1, ("lifting", "major"): 1, ("housekeeping", "minor"): 1,
        ("fire", "minor"): 1,
    }  # fmt: skip
    monthly = run_report(session, "findings_by_month", people["sun"])
    month = monthly.columns[0]
    rows = {(r[month], r["kind"]): (r["findings"], r["deadline_days"]) for r in monthly.rows}
    assert rows == {
        ("2026-10", "quality"): (1, 5),
        ("2026-11", "safety"): (6, 1 + 3 + 2 + 1 + 3 + 1),
        ("2026-11", "quality"): (2, 3 + 2),
    }


def test_notices_by_severity_and_state(session, people) -> None:
    result = run_report(session, "notices_by_state", people["qian"])
    cells = {(r["severity"], r["state"]): r["notices"] for r in result.rows}
    assert cells == {
        ("minor", "closed"): 3, ("minor", "rectified"): 1, ("major", "closed"): 1,
        ("major", "issued"): 2, ("critical", "rectified"): 1,
    }  # fmt: skip


def _new_inspection(session: Any, zhao: Actor) -> Any:
    project = list_records(session, "project", zhao).items[0].id
    findings = [
        {"no": 1, "category": "ppe", "severity": "minor", "description": "No helmet",
         "action": "Wear it", "deadline_days": 0},
        {"no": 2, "category": "fire", "severity": "major", "description": "Extinguisher empty",
         "action": "Refill", "deadline_days": 4},
    ]  # fmt: skip
    data = {"project": project, "kind": "safety", "date": "2026-12-01", "area": "Block 3"}
    return create_record(session, "inspection", {**data, "findings": findings}, zhao)


def test_a_notice_walks_from_issued_to_passed_with_the_right_people(session, people) -> None:
    zhao, wu, lee, sun = people["zhao"], people["wu"], people["lee"], people["sun"]
    inspection = _new_inspection(session, zhao)
    assert inspection.data["inspector"] == "zhao"  # x-default: the user who records it
    with pytest.raises(PermissionDenied):  # a viewer issues no notice
        create_record(session, "rectification", {"inspection": inspection.id, "finding": 2}, sun)
    notice = create_record(
        session, "rectification", {"inspection": inspection.id, "finding": 2}, zhao
    )
    assert (notice.state, notice.data["deadline"]) == ("draft", dt.date(2026, 12, 5))
    with pytest.raises(MissingFields):  # who rectifies, first
        apply_transition(session, "rectification", notice.id, "issue", zhao)
    notice = update_record(session, "rectification", notice.id, notice.version,
                           {"responsible": "lee"}, zhao)  # fmt: skip
    with pytest.raises(RoleRequired):  # the manager issues notices, not the foreman
        apply_transition(session, "rectification", notice.id, "issue", lee)
    apply_transition(session, "rectification", notice.id, "issue", zhao)
    assert (notice.data["inspector"], notice.data["category"]) == ("zhao", "fire")
    assert get_record(session, "inspection", inspection.id, zhao).data["open_findings"] == 1
    with pytest.raises(GuardFailed):  # not while a notice is open
        apply_transition(session, "inspection", inspection.id, "close", zhao)
    with pytest.raises(MissingFields):  # what was done, first
        apply_transition(session, "rectification", notice.id, "rectify", lee)
    notice = get_record(session, "rectification", notice.id, lee)
    notice = update_record(session, "rectification", notice.id, notice.version,
                           {"rectification": "Refilled"}, lee)  # fmt: skip
    with pytest.raises(RoleRequired):  # a viewer reports nothing
        apply_transition(session, "rectification", notice.id, "rectify", sun)
    apply_transition(session, "rectification", notice.id, "rectify", lee)
    with pytest.raises(RoleRequired):  # the foreman does not pass his own work
        apply_transition(session, "rectification", notice.id, "pass", lee)
    with pytest.raises(GuardFailed):  # another manager is not the inspector
        apply_transition(session, "rectification", notice.id, "pass", wu)
    with pytest.raises(CommentRequired):
        apply_transition(session, "rectification", notice.id, "fail", zhao)
    apply_transition(session, "rectification", notice.id, "fail", zhao, comment="Still empty")
    assert get_record(session, "rectification", notice.id, zhao).state == "issued"
    apply_transition(session, "rectification", notice.id, "rectify", lee)
    apply_transition(session, "rectification", notice.id, "pass", zhao)
    today = dt.datetime.now(UTC).date()
    passed = get_record(session, "rectification", notice.id, zhao)
    assert (passed.state, passed.data["reinspected_on"]) == ("closed", today)
    with pytest.raises((FinalState, WrongState)):
        apply_transition(session, "rectification", notice.id, "fail", zhao, comment="x")
    assert get_record(session, "inspection", inspection.id, zhao).data["open_findings"] == 0
    apply_transition(session, "inspection", inspection.id, "close", zhao)
    closed = get_record(session, "inspection", inspection.id, zhao)
    assert (closed.state, closed.data["closed_on"]) == ("closed", today)


def test_a_finding_a_notice_names_stays_and_unknown_findings_are_refused(session, people) -> None:
    zhao = people["zhao"]
    inspection = _new_inspection(session, zhao)
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "rectification", {"inspection": inspection.id, "finding": 3}, zhao)
    assert [p.code for p in refused.value.problems] == ["no_linked_row"]
    notice = create_record(
        session, "rectification", {"inspection": inspection.id, "finding": 2}, zhao
    )
    only_first = {"findings": [inspection.data["findings"][0]]}
    with pytest.raises(ValidationFailed) as removing:
        update_record(session, "inspection", inspection.id, inspection.version, only_first, zhao)
    (problem,) = removing.value.problems
    assert (problem.code, problem.params["records"]) == ("row_still_named", notice.number)


def test_an_issued_notice_is_overdue_after_its_deadline(session, people) -> None:
    zhao = people["zhao"]
    notice = get_record(session, "rectification", _id(session, zhao, "ZG-0005"), zhao)
    module = load_catalog(session).module("rectification")
    due = dt.datetime(2026, 11, 16, tzinfo=UTC)  # the day after the deadline, 00:00 UTC
    assert not is_overdue(module, notice.state, notice.state_since, notice.data, due)
    later = due + dt.timedelta(seconds=1)
    assert is_overdue(module, notice.state, notice.state_since, notice.data, later)


def test_an_accountant_reads_notices_but_no_finding_of_an_inspection(session, people) -> None:
    qian = people["qian"]
    notice = get_record(session, "rectification", _id(session, qian, "ZG-0005"), qian)
    assert notice.data["finding"] == 1 and "finding" not in notice.titles
    with pytest.raises(NotFound):  # the module is not theirs to read
        list_records(session, "inspection", qian)


def test_the_foreman_inbox_lists_the_overdue_notices_with_their_findings(session, people) -> None:
    box = inbox(session, people["lee"], now=dt.datetime(2026, 11, 26, 12, tzinfo=UTC))
    waiting = {i.record.number: i for i in box.items if i.record.module == "rectification"}
    assert sorted(waiting) == ["ZG-0005", "ZG-0007"]  # issued: his to rectify
    assert all(i.overdue and i.transitions == ["rectify"] for i in waiting.values())
    assert (
        waiting["ZG-0007"].record.titles["finding"].startswith("INS-0004 · 1 · 塔吊高度限位器失灵")
    )
