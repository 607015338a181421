"""The critical path: forward and backward pass over finish-to-start links, float per task,
cycles found and never followed, and the bundled schedule read as a Gantt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.schedule.network import critical_path, find_cycle

ROOT = Path(__file__).resolve().parents[2]

# A textbook network: A(3) → B(4) → D(2); A → C(2) → D; D → E(0, a milestone).
DURATIONS = {"A": 3, "B": 4, "C": 2, "D": 2, "E": 0}
PREDS = {"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"], "E": ["D"]}


def test_early_and_late_dates_and_float_are_the_hand_computed_ones() -> None:
    timings = critical_path(DURATIONS, PREDS)
    got = {
        k: (t.early_start, t.early_finish, t.late_start, t.late_finish, t.total_float)
        for k, t in timings.items()
    }
    assert got == {
        "A": (0, 3, 0, 3, 0),
        "B": (3, 7, 3, 7, 0),
        "C": (3, 5, 5, 7, 2),
        "D": (7, 9, 7, 9, 0),
        "E": (9, 9, 9, 9, 0),
    }
    assert [k for k, t in timings.items() if t.critical] == ["A", "B", "D", "E"]


def test_parallel_paths_each_end_at_the_network_finish() -> None:
    timings = critical_path({"X": 5, "Y": 2, "Z": 1}, {"Z": ["Y"]})
    assert timings["X"].critical
    assert (timings["Y"].total_float, timings["Z"].total_float) == (2, 2)


def test_an_unknown_predecessor_is_ignored_not_a_crash() -> None:
    timings = critical_path({"A": 2}, {"A": ["nowhere"]})
    assert timings["A"].early_start == 0 and timings["A"].critical


def test_a_cycle_is_found_and_its_tasks_get_no_timing() -> None:
    preds = {"A": [], "B": ["A", "D"], "C": ["B"], "D": ["C"], "E": ["A"]}
    cycle = find_cycle(preds)
    assert cycle is not None and set(cycle) == {"B", "C", "D"}
    timings = critical_path(dict.fromkeys(preds, 1), preds)
    assert set(timings) == {"A", "E"}
    assert find_cycle(PREDS) is None
    assert find_cycle({"A": ["A"]}) == ("A",)


def test_the_bundled_schedule_reads_as_a_gantt_with_its_critical_path(session: Any) -> None:
    from engine.actor import SYSTEM
    from engine.catalog import load_catalog
    from engine.definitions.model import GanttView
    from engine.packs import import_pack
    from engine.records import ListQuery
    from engine.schedule.gantt import read_gantt

    import_pack(session, (ROOT / "modules" / "construction.json").read_text(encoding="utf-8"))
    module = load_catalog(session).module("schedule")
    view = next(v for v in module.ui.views if isinstance(v, GanttView))
    gantt = read_gantt(session, "schedule", view, SYSTEM, ListQuery())
    riverside = {t.key: t for t in gantt.tasks if t.group_title and "Riverside" in t.group_title}
    assert sorted(riverside) == ["1", "2", "2.1", "3", "4"]
    assert riverside["4"].depends == [riverside["2"].id, riverside["3"].id]
    floats = {k: t.timing.total_float for k, t in riverside.items() if t.timing}
    # 2.1 (107 days) runs beside 2 → 3 (230 + 243 days): it may slip 366 days
    assert floats == {"1": 0, "2": 0, "2.1": 366, "3": 0, "4": 0}
    assert riverside["4"].milestone and riverside["4"].days == 0
    assert riverside["2"].actual[0] is not None  # the actual start beside the planned one
    assert gantt.cycle is None and gantt.unknown == {}


def test_a_save_that_closes_a_circle_is_refused_and_nothing_is_written(session: Any) -> None:
    import pytest

    from engine.actor import SYSTEM
    from engine.errors import ValidationFailed
    from engine.packs import import_pack
    from engine.records import ListQuery, create_record, list_records, update_record

    import_pack(session, (ROOT / "modules" / "construction.json").read_text(encoding="utf-8"))
    query = ListQuery(per_page=50, with_children=False)
    items = list_records(session, "schedule", SYSTEM, query).items
    first = next(r for r in items if r.data["wbs_code"] == "1" and r.data.get("milestone"))
    with pytest.raises(ValidationFailed) as refused:  # 1 would wait on 4, which waits on 1
        update_record(session, "schedule", first.id, first.version, {"predecessors": "4"}, SYSTEM)
    (problem,) = refused.value.problems
    assert (problem.path, problem.code) == ("/predecessors", "dependency_cycle")
    assert problem.params["cycle"].startswith("1 → ") and "4" in problem.params["cycle"]
    new = {**{k: first.data[k] for k in ("project", "planned_start", "planned_finish")}}
    new.update(wbs_code="5", task="Handover", status="not_started")
    with pytest.raises(ValidationFailed):  # a task waiting on itself
        create_record(session, "schedule", {**new, "predecessors": "5"}, SYSTEM)
    assert list_records(session, "schedule", SYSTEM, query).total == len(items)
    create_record(session, "schedule", {**new, "predecessors": "4, 9"}, SYSTEM)  # 9: a warning
    assert list_records(session, "schedule", SYSTEM, query).total == len(items) + 1


def test_the_s_curve_weighs_tasks_by_duration_and_stops_the_actual_line_today() -> None:
    import datetime as dt

    from engine.schedule.gantt import GanttTask
    from engine.schedule.progress import s_curve

    day = dt.date(2026, 3, 1)

    def at(n: int) -> dt.date:
        return day + dt.timedelta(days=n)

    done = GanttTask("a", None, 1, "A", at(0), at(9), 100.0, actual=(at(0), at(9)))
    half = GanttTask("b", None, 1, "B", at(10), at(29), 50.0, actual=(at(10), None))
    points = {p.day: p for p in s_curve([done, half], today=at(19))}
    assert points[at(0)].planned == round(100 * 1 / 30, 1)
    assert (points[at(9)].planned, points[at(9)].actual) == (33.3, 33.3)  # A whole: 10 of 30
    # B, 20 days, is half done today (day 19), reached in a straight line from day 10
    assert points[at(19)].actual == round(100 * (10 + 10) / 30, 1)
    assert points[at(29)].planned == 100.0 and points[at(29)].actual is None


def test_a_gantt_view_naming_a_wrong_field_is_refused_at_import() -> None:
    import json

    from engine.definitions.checks import check_pack

    pack = json.loads((ROOT / "modules" / "construction.json").read_text(encoding="utf-8"))
    (index, schedule) = next((i, m) for i, m in enumerate(pack["modules"]) if m["id"] == "schedule")
    (v, gantt) = next((i, v) for i, v in enumerate(schedule["ui"]["views"]) if v["type"] == "gantt")
    gantt.update(key="wbs", milestone="task", actual={"start": "actual_start", "end": "notes"})
    problems = {(p.path, p.code) for p in check_pack(pack)}
    base = f"/modules/{index}/ui/views/{v}"
    assert (f"{base}/key", "ui_unknown_field") in problems
    assert (f"{base}/milestone", "view_field_kind") in problems
    assert (f"{base}/actual/end", "view_field_kind") in problems
