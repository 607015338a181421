"""The bundled RACI and weekly reports (modules/weekly.json), as a project team uses them:
each demo week of Riverside Garden carries the labour, cash, schedule and risk figures of
construction's demo records, worked out by hand; the figures move when a tally, a payment
or a risk does; a week starts on a Monday and is written once per project; the report is
written by the site manager and reviewed by the director, each step tried with the wrong
role too; the RACI people of a schedule task are filtered by "me" and counted by the
report; the trend report's running totals and the A4 sheet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine import accounts
from engine.actor import SYSTEM, Actor
from engine.catalog import load_catalog
from engine.errors import (
    CommentRequired,
    MissingFields,
    OwnerOnly,
    PermissionDenied,
    RoleRequired,
    ValidationFailed,
)
from engine.packs import import_pack
from engine.prints import PrintLocale, render_print
from engine.records import create_record, get_record, list_records, update_record
from engine.records.query import parse_list_params
from engine.reports import run_report
from engine.user_lookup import resolve_user
from engine.workflow import apply_transition
from tests.engine.people import make_user

MODULES = Path(__file__).resolve().parents[2] / "modules"
FIGURES = ("labour_hours", "labour_cost", "tallies_waiting", "received", "paid")
FIGURES += ("payments_in_approval", "tasks_due", "tasks_finished")


def install(session: Any) -> None:
    for name in ("construction", "risks", "weekly"):  # as `make run` orders them
        import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def people(session: Any) -> dict[str, Actor]:
    install(session)
    make_user(session, "zhao", "site_manager")
    accounts.grant_every_record(session, "zhao", "project")
    make_user(session, "gao", "site_manager")
    accounts.grant_every_record(session, "gao", "project")
    return {
        "zhao": accounts.actor_of(resolve_user(session, "zhao")),
        "gao": accounts.actor_of(resolve_user(session, "gao")),
        "wu": make_user(session, "wu", "director"),
        "qian": make_user(session, "qian", "planner"),
        "hu": make_user(session, "hu", "accountant"),
        "lee": make_user(session, "lee", "foreman"),
        "sun": make_user(session, "sun", "viewer"),
    }


def riverside(session: Any) -> str:
    page = list_records(session, "project", SYSTEM)
    return next(p.id for p in page.items if p.data["code"] == "PRJ-2026-001")


def weeks(session: Any, who: Actor = SYSTEM) -> dict[str, Any]:
    """week start → the report of Riverside for that week."""
    page = list_records(session, "weekly_report", who, parse_list_params_for(session, who))
    return {r.data["week_start"].isoformat(): r for r in page.items}


def parse_list_params_for(session: Any, who: Actor, **filters: str) -> Any:
    module = load_catalog(session).module("weekly_report")
    return parse_list_params(module, {"per_page": "100", **filters}, who)


def figures(record: Any) -> tuple[Any, ...]:
    return tuple(record.data[name] for name in FIGURES)


def money(text: str) -> Decimal:
    return Decimal(text)


ZERO = (Decimal("0.0"), Decimal("0.00"), 0, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))

# Construction's demo: approved tallies on Mon 2 March (王建国 8 h × 42.50 = 340.00; 李明
# 8 h × 45.00 + 2 h × 67.50 = 495.00) and Wed 8 April (7.5 h × 42.50 = 318.75); settled
# funds on 25 March (in 6,800,000.00) and 2 April (out 1,253,448.00); an outgoing 835.00 of
# 12 April waiting for the manager; foundations due Sun 15 March, finished Fri 20 March.
DEMO = {
    "2026-03-02": (Decimal("18.0"), Decimal("835.00"), *ZERO[2:], 0, 0),
    "2026-03-09": (*ZERO, 1, 0),
    "2026-03-16": (*ZERO, 0, 1),
    "2026-03-23": (*ZERO[:3], Decimal("6800000.00"), *ZERO[4:], 0, 0),
    "2026-03-30": (*ZERO[:4], Decimal("1253448.00"), ZERO[5], 0, 0),
    "2026-04-06": (Decimal("7.5"), Decimal("318.75"), 0, *ZERO[3:5], Decimal("835.00"), 0, 0),
}


def test_the_demo_weeks_pull_riverside_figures_by_themselves(session, people) -> None:
    found = weeks(session, people["wu"])
    assert {start: figures(r) for start, r in found.items()} == DEMO
    states = {start: r.state for start, r in found.items()}
    assert states == {**dict.fromkeys(DEMO, "reviewed"), "2026-04-06": "submitted"}
    week = found["2026-03-09"]
    assert (week.number, week.data["week_end"], week.data["week_no"]) == (
        "PRJ-2026-001-ZB-002",
        dt.date(2026, 3, 15),
        11,
    )
    # now: the Block 3 structure is delayed; progress 100, 35, 80, 0, 0 → 43.0 on average;
    # Riverside's demo risks: 7, one closed; of the 6 open, scores 20 (extreme), 12 and 12
    # (high) count as high, 9, 8 and 4 do not
    now = {(r.data["tasks_delayed"], r.data["average_progress"]) for r in found.values()}
    assert now == {(1, Decimal("43.0"))}
    assert {(r.data["open_risks"], r.data["high_risks"]) for r in found.values()} == {(6, 3)}


def test_figures_follow_tallies_payments_and_risks(session, people) -> None:
    zhao, wu, hu = people["zhao"], people["wu"], people["hu"]
    project = riverside(session)
    lee = people["lee"]
    tally = {"project": project, "date": "2026-03-12", "worker": "周强", "trade": "general",
             "items": [{"content": "Backfill", "hours": 6, "rate": 40}]}  # fmt: skip
    made = create_record(session, "labour_tally", tally, lee)
    apply_transition(session, "labour_tally", made.id, "submit", lee)
    assert weeks(session, wu)["2026-03-09"].data["tallies_waiting"] == 1
    apply_transition(session, "labour_tally", made.id, "approve", zhao)
    week = weeks(session, wu)["2026-03-09"]
    assert (week.data["labour_hours"], week.data["labour_cost"]) == (
        Decimal("6.0"),
        Decimal("240.00"),
    )
    assert week.data["tallies_waiting"] == 0
    fund = {"project": project, "direction": "out", "category": "labour",
            "counterparty": "周强", "amount": 240, "date": "2026-03-15"}  # fmt: skip
    create_record(session, "fund", fund, hu)
    assert weeks(session, wu)["2026-03-09"].data["payments_in_approval"] == 0  # a draft
    risk = {"project": project, "title": "Backfill settlement", "category": "quality",
            "probability": 4, "impact": 3}  # fmt: skip
    raised = create_record(session, "risk", risk, zhao)
    create_record(session, "risk", {**risk, "title": "Muddy site", "impact": 1}, zhao)
    counts = {(r.data["open_risks"], r.data["high_risks"]) for r in weeks(session, wu).values()}
    assert counts == {(8, 4)}  # 4 × 3 = 12 is high, 4 × 1 = 4 low, on every week
    stored = get_record(session, "risk", raised.id, zhao)
    update_record(session, "risk", raised.id, stored.version, {"impact": 2}, zhao)  # 8: medium
    counts = {(r.data["open_risks"], r.data["high_risks"]) for r in weeks(session, wu).values()}
    assert counts == {(8, 3)}


def test_each_reader_sees_the_figures_of_the_rows_they_may_read(session, people) -> None:
    def week(who: Actor) -> dict[str, Any]:
        data = weeks(session, who)["2026-03-02"].data
        return {k: data.get(k) for k in ("labour_hours", "labour_cost", "tasks_due", "open_risks")}

    everything = {"labour_hours": Decimal("18.0"), "labour_cost": Decimal("835.00"),
                  "tasks_due": 0, "open_risks": 6}  # fmt: skip
    assert week(people["zhao"]) == everything  # a manager granted the project
    assert week(people["sun"]) == {**everything, "labour_cost": None}  # tally amounts hidden
    assert week(people["qian"]) == {**everything, "labour_hours": None, "labour_cost": None}
    make_user(session, "ma", "site_manager", "planner")  # reads every report as a planner
    innovation = next(
        p.id
        for p in list_records(session, "project", SYSTEM).items
        if p.data["code"] == "PRJ-2026-002"
    )
    accounts.add_grant(session, "ma", "project", innovation)
    ma = accounts.actor_of(resolve_user(session, "ma"))
    assert week(ma) == {**everything, "labour_hours": None, "labour_cost": None}
    accounts.add_grant(session, "ma", "project", riverside(session))
    assert week(accounts.actor_of(resolve_user(session, "ma"))) == everything


def test_a_week_starts_on_a_monday_and_is_written_once(session, people) -> None:
    zhao, project = people["zhao"], riverside(session)
    with pytest.raises(ValidationFailed) as refused:
        create_record(
            session, "weekly_report", {"project": project, "week_start": "2026-04-14"}, zhao
        )
    ((path, code, message),) = [(p.path, p.code, p.params) for p in refused.value.problems]
    assert (path, code) == ("/week_start", "rule_message")
    assert message["texts"] == {
        "en": "A week starts on a Monday: choose the Monday of the week.",
        "zh-CN": "周报按自然周填写，起始日须为周一。",
    }
    this_week = create_record(session, "weekly_report", {"project": project}, zhao)
    monday = this_week.data["week_start"]  # by default, the Monday of the current week
    today = dt.datetime.now(dt.UTC).date()
    assert (monday.weekday(), 0 <= (today - monday).days < 7) == (0, True)
    with pytest.raises(ValidationFailed) as twice:
        create_record(
            session, "weekly_report", {"project": project, "week_start": "2026-04-06"}, zhao
        )
    assert [p.code for p in twice.value.problems] == ["not_unique"]


def test_the_manager_writes_and_the_director_reviews(session, people) -> None:
    zhao, gao, wu, qian = people["zhao"], people["gao"], people["wu"], people["qian"]
    data = {"project": riverside(session), "week_start": "2026-04-13"}
    with pytest.raises(PermissionDenied):  # a planner reads weekly reports, writes none
        create_record(session, "weekly_report", data, qian)
    report = create_record(session, "weekly_report", data, zhao)
    assert report.state == "draft"
    with pytest.raises(MissingFields):  # the progress and the plan are written first
        apply_transition(session, "weekly_report", report.id, "submit", zhao)
    stored = get_record(session, "weekly_report", report.id, zhao)
    text = {"summary": "Block 3 floor 10 poured", "next_week_plan": "Floor 11"}
    update_record(session, "weekly_report", report.id, stored.version, text, zhao)
    with pytest.raises(OwnerOnly):  # another manager does not submit it for him
        apply_transition(session, "weekly_report", report.id, "submit", gao)
    apply_transition(session, "weekly_report", report.id, "submit", zhao)
    with pytest.raises(RoleRequired):  # the manager does not review his own report
        apply_transition(session, "weekly_report", report.id, "review", zhao)
    with pytest.raises(CommentRequired):
        apply_transition(session, "weekly_report", report.id, "send_back", wu)
    apply_transition(session, "weekly_report", report.id, "send_back", wu, comment="Add costs")
    assert get_record(session, "weekly_report", report.id, zhao).state == "draft"
    apply_transition(session, "weekly_report", report.id, "submit", zhao)
    apply_transition(session, "weekly_report", report.id, "review", wu)
    reviewed = get_record(session, "weekly_report", report.id, wu)
    assert (reviewed.state, reviewed.data["reviewed_on"]) == (
        "reviewed",
        dt.datetime.now(dt.UTC).date(),
    )


def test_the_trend_runs_labour_and_cash_to_date(session, people) -> None:
    result = run_report(session, "weekly_trend", people["wu"])
    rows = [
        (r["week_start"], r["hours_to_date"], r["labour_cost_to_date"], r["paid_to_date"],
         r["received_to_date"], r["tasks_finished"])
        for r in result.rows
    ]  # fmt: skip
    assert [(str(w), *rest) for w, *rest in rows] == [
        ("2026-03-02", Decimal("18.0"), Decimal("835.00"), Decimal("0.00"), Decimal("0.00"), 0),
        ("2026-03-09", Decimal("18.0"), Decimal("835.00"), Decimal("0.00"), Decimal("0.00"), 0),
        ("2026-03-16", Decimal("18.0"), Decimal("835.00"), Decimal("0.00"), Decimal("0.00"), 1),
        ("2026-03-23", Decimal("18.0"), Decimal("835.00"), Decimal("0.00"), money("6800000.00"), 0),
        ("2026-03-30", Decimal("18.0"), Decimal("835.00"), money("1253448.00"), money("6800000.00"), 0),
        ("2026-04-06", Decimal("25.5"), Decimal("1153.75"), money("1253448.00"), money("6800000.00"), 0),
    ]  # fmt: skip


def test_raci_people_are_filtered_by_me_and_counted(session, people) -> None:
    qian, zhao, wu = people["qian"], people["zhao"], people["wu"]
    tasks = {t.data["wbs_code"]: t for t in list_records(session, "schedule", qian).items}
    raci = {"2": {"responsible": "qian", "accountable": "zhao", "consulted": ["wu", "hu"],
                  "informed": ["sun"]},
            "2.1": {"responsible": "qian", "accountable": "zhao", "consulted": ["hu"],
                    "informed": ["wu", "sun"]},
            "3": {"responsible": "zhao", "accountable": "wu", "informed": ["qian"]}}  # fmt: skip
    for code, data in raci.items():
        task = tasks[code]
        update_record(session, "schedule", task.id, task.version, data, qian)
    module = load_catalog(session).module("schedule")

    def codes(who: Actor, **params: str) -> list[str]:
        query = parse_list_params(module, params, who)
        return sorted(
            t.data["wbs_code"] for t in list_records(session, "schedule", who, query).items
        )

    assert codes(wu, **{"filter[consulted][contains]": "me"}) == ["2"]
    assert codes(wu, **{"filter[informed][contains]": "me"}) == ["2.1"]
    assert codes(zhao, **{"filter[accountable]": "me"}) == ["2", "2.1"]
    assert codes(zhao, **{"filter[responsible]": "me"}) == ["3"]
    result = run_report(session, "raci_by_accountable", wu)
    counted = {(r["accountable"], r["responsible"]): r["tasks"] for r in result.rows}
    assert counted == {
        ("zhao", "qian"): 2,
        ("wu", "zhao"): 1,
        (None, None): 2,
    }  # 4 and the other project's 1


def texts(node: Any, where: str = "") -> Any:
    """Every localized text of the pack (a mapping with "en"), with where it is."""
    if isinstance(node, dict):
        if "en" in node or "zh-CN" in node:
            yield where, node
            return
        for key, value in node.items():
            yield from texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from texts(value, f"{where}/{i}")


def test_every_label_and_message_is_in_chinese_and_english() -> None:
    import json

    pack = json.loads((MODULES / "weekly.json").read_text(encoding="utf-8"))
    found = dict(texts({k: v for k, v in pack.items() if k != "seed"}))
    assert len(found) >= 55  # pack, roles, module, fields, sections, steps, reports, cards
    assert [w for w, text in found.items() if set(text) != {"en", "zh-CN"}] == []
    titled = [
        where
        for where, _ in found.items()
        if where.endswith("/title") or where.endswith("/message")
    ]
    named = {w.rsplit("/", 1)[0] for w in titled}
    for field in ("accountable", "consulted", "informed"):
        assert f"/extends/schedule/fields/{field}" in named


def test_the_a4_sheet_prints_the_week(session, people) -> None:
    wu = people["wu"]
    week = weeks(session, wu)["2026-03-02"]
    module = load_catalog(session).module("weekly_report")
    locale = PrintLocale(
        language="en",
        value=lambda f, v: str(v),
        moment=lambda v: v.strftime("%Y-%m-%d %H:%M"),
        user=lambda name: name.title(),
        translate=lambda v: v if isinstance(v, str) else v.get("en", ""),
        labels={"by": "By", "decision": "Decision", "at": "At", "approved": "Approved"},
    )
    printed = render_print(session, module, week, wu, "weekly_sheet", locale)
    html = str(printed.html)
    assert printed.paper == "A4"
    assert "Weekly status report" in html and "835.00" in html and "18.0" in html
