"""A calendar view by start and end: the pack checks its `end` like its `date`, and the
compiled view carries it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.definitions.checks import check_pack
from engine.definitions.loader import schema_problems
from engine.definitions.model import CalendarView, compile_view

ROOT = Path(__file__).resolve().parents[2]


def _schedule(pack: dict[str, Any]) -> tuple[int, int, dict[str, Any]]:
    index, schedule = next((i, m) for i, m in enumerate(pack["modules"]) if m["id"] == "schedule")
    views = schedule["ui"]["views"]
    v, calendar = next((i, v) for i, v in enumerate(views) if v["type"] == "calendar")
    return index, v, calendar


def _pack() -> dict[str, Any]:
    return json.loads((ROOT / "modules" / "construction.json").read_text(encoding="utf-8"))


def test_the_schedule_calendar_runs_from_planned_start_to_planned_finish() -> None:
    pack = _pack()
    _index, _v, raw = _schedule(pack)
    assert not schema_problems(pack) and not list(check_pack(pack))
    view = compile_view(raw)
    assert view == CalendarView("planned_start", "planned_finish")
    assert compile_view({"type": "calendar", "date": "date"}) == CalendarView("date")


def test_an_end_that_is_not_a_date_of_the_module_is_a_located_problem() -> None:
    pack = _pack()
    index, v, calendar = _schedule(pack)
    base = f"/modules/{index}/ui/views/{v}"
    calendar["end"] = "task"  # a text
    problems = {(p.path, p.code, p.params.get("key")) for p in check_pack(pack)}
    assert (f"{base}/end", "view_field_kind", "end") in problems
    calendar["end"] = "planned_finsh"
    unknown = {(p.path, p.code) for p in check_pack(pack)}
    assert (f"{base}/end", "ui_unknown_field") in unknown
    calendar["end"] = ["planned_finish"]
    assert any(p.path == f"{base}/end" for p in schema_problems(pack))
