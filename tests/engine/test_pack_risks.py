"""The bundled risk register (modules/risks.json), as a project team uses it: each risk's
score, level, review interval and next review as hand-computed; the workflow walked with
the right and the wrong roles; reviews due on the next-review date; the heat map's cells."""

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
    MissingFields,
    PermissionDenied,
    RoleRequired,
    WrongState,
)
from engine.packs import import_pack
from engine.records import create_record, get_record, list_records, update_record
from engine.reports import run_report
from engine.workflow import apply_transition
from engine.workflow.due import is_overdue
from tests.engine.people import make_user

MODULES = Path(__file__).resolve().parents[2] / "modules"
UTC = dt.UTC


def install(session: Any) -> None:
    for name in ("construction", "risks"):  # risks link to construction's projects
        import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def people(session: Any) -> dict[str, Actor]:
    install(session)
    return {
        "zhao": make_user(session, "zhao", "site_manager"),
        "qian": make_user(session, "qian", "planner"),
        "lee": make_user(session, "lee", "foreman"),
        "sun": make_user(session, "sun", "viewer"),
    }


# title prefix → (state, probability, impact, score, level, review days, next review)
SEEDED = {
    "深基坑": ("mitigating", 4, 5, 20, "extreme", 7, "2026-12-02"),
    "钢筋价格": ("mitigating", 4, 3, 12, "high", 14, "2026-11-30"),
    "主体结构": ("assessed", 3, 4, 12, "high", 14, "2026-12-04"),
    "幕墙": ("assessed", 3, 3, 9, "medium", 30, "2026-12-02"),
    "建设单位": ("mitigating", 2, 4, 8, "medium", 30, "2026-12-10"),
    "夜间": ("identified", 2, 2, 4, "low", 90, None),
    "塔吊": ("closed", 2, 5, 10, "high", 14, "2026-02-24"),
}


def test_the_demo_risks_carry_their_score_level_and_next_review(session, people) -> None:
    page = list_records(session, "risk", people["zhao"])
    found = {}
    for record in page.items:
        (prefix,) = [p for p in SEEDED if record.data["title"].startswith(p)]
        d = record.data
        found[prefix] = (
            record.state,
            d["probability"],
            d["impact"],
            d["score"],
            d["level"],
            d["review_days"],
            d["next_review"] and d["next_review"].isoformat(),
        )
    assert found == SEEDED
    (riverside,) = [
        p.id
        for p in list_records(session, "project", people["zhao"]).items
        if p.data["code"] == "PRJ-2026-001"
    ]
    assert {r.data["project"] for r in page.items} == {riverside}  # linked by `$match`


def test_the_heat_map_counts_open_risks_per_cell(session, people) -> None:
    result = run_report(session, "risk_heat_map", people["zhao"])
    cells = {(r["probability"], r["impact"]): (r["risks"], r["score"]) for r in result.rows}
    assert cells == {
        (4, 5): (1, 20),
        (4, 3): (1, 12),
        (3, 4): (1, 12),
        (3, 3): (1, 9),
        (2, 4): (1, 8),
        (2, 2): (1, 4),
    }  # the closed crane-foundation risk (2, 5) is not counted


def test_open_risks_by_category_and_level(session, people) -> None:
    result = run_report(session, "risks_by_category_level", people["sun"])
    rows = {(r["category"], r["level"]): (r["risks"], r["average_score"]) for r in result.rows}
    assert rows == {
        ("safety", "extreme"): (1, 20),
        ("cost", "high"): (1, 12),
        ("quality", "high"): (1, 12),
        ("schedule", "medium"): (1, 9),
        ("contract", "medium"): (1, 8),
        ("environment", "low"): (1, 4),
    }


def test_a_risk_walks_from_identified_to_closed(session, people) -> None:
    zhao, qian, lee = people["zhao"], people["qian"], people["lee"]
    risk = create_record(
        session, "risk", {"title": "Scaffold tie failures", "category": "safety"}, lee
    )
    assert risk.state == "identified"
    with pytest.raises(RoleRequired):  # a foreman reports a risk; the manager assesses it
        apply_transition(session, "risk", risk.id, "assess", lee)
    with pytest.raises(MissingFields):  # no probability, impact or owner yet
        apply_transition(session, "risk", risk.id, "assess", zhao)
    stored = get_record(session, "risk", risk.id, zhao)
    data = {"probability": 3, "impact": 5, "risk_owner": "zhao"}
    update_record(session, "risk", risk.id, stored.version, data, zhao)
    apply_transition(session, "risk", risk.id, "assess", zhao)
    assessed = get_record(session, "risk", risk.id, zhao)
    today = dt.datetime.now(UTC).date()
    assert assessed.state == "assessed"
    assert (assessed.data["score"], assessed.data["level"]) == (15, "extreme")
    assert assessed.data["last_review"] == today
    assert assessed.data["next_review"] == today + dt.timedelta(days=7)
    with pytest.raises(MissingFields):  # mitigation written first
        apply_transition(session, "risk", risk.id, "mitigate", zhao)
    update_record(session, "risk", risk.id, assessed.version, {"mitigation": "Tie every 4 m"}, zhao)
    apply_transition(session, "risk", risk.id, "mitigate", zhao)
    with pytest.raises(CommentRequired):
        apply_transition(session, "risk", risk.id, "review", qian)
    apply_transition(session, "risk", risk.id, "review", qian, comment="Ties checked")
    with pytest.raises(RoleRequired):  # the planner reviews, only the manager closes
        apply_transition(session, "risk", risk.id, "close", qian, comment="done")
    apply_transition(session, "risk", risk.id, "close", zhao, comment="Scaffold struck")
    closed = get_record(session, "risk", risk.id, zhao)
    assert (closed.state, closed.data["closed_on"]) == ("closed", today)
    with pytest.raises((FinalState, WrongState)):
        apply_transition(session, "risk", risk.id, "reassess", zhao, comment="again")


def test_a_viewer_reads_but_raises_no_risk(session, people) -> None:
    assert list_records(session, "risk", people["sun"]).total == len(SEEDED)
    with pytest.raises(PermissionDenied):
        create_record(session, "risk", {"title": "Anything", "category": "cost"}, people["sun"])


def test_a_risk_is_due_for_review_on_its_next_review_date(session, people) -> None:
    zhao = people["zhao"]
    risk = create_record(
        session,
        "risk",
        {"title": "Pump failure", "category": "schedule", "probability": 2, "impact": 2,
         "risk_owner": "zhao", "last_review": "2026-03-01"},
        zhao,
    )  # fmt: skip
    stored = get_record(session, "risk", risk.id, zhao)
    assert (stored.data["level"], stored.data["next_review"]) == ("low", dt.date(2026, 5, 30))
    apply_transition(session, "risk", risk.id, "assess", zhao)  # reviewed today: set again
    stored = get_record(session, "risk", risk.id, zhao)
    raised = {"probability": 5, "impact": 4, "last_review": "2026-03-01"}  # 20: weekly
    stored = update_record(session, "risk", risk.id, stored.version, raised, zhao)
    stored = get_record(session, "risk", risk.id, zhao)
    assert (stored.data["level"], stored.data["next_review"]) == ("extreme", dt.date(2026, 3, 8))
    module = load_catalog(session).module("risk")
    due = dt.datetime(2026, 3, 9, tzinfo=UTC)  # the day after the next review, 00:00 UTC
    assert not is_overdue(module, stored.state, stored.state_since, stored.data, due)
    later = due + dt.timedelta(seconds=1)
    assert is_overdue(module, stored.state, stored.state_since, stored.data, later)
