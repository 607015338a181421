"""The compiled model is what downstream code reads: views are typed, changes are described from it."""

from __future__ import annotations

import json
from pathlib import Path

from engine.definitions import load_pack
from engine.definitions.model import CalendarView, GanttView, KanbanView

ROOT = Path(__file__).resolve().parents[2]


def test_views_of_a_bundled_module_are_typed_objects() -> None:
    pack = load_pack(json.loads((ROOT / "modules" / "construction.json").read_text("utf-8")))
    views = {type(v): v for m in pack.modules for v in m.ui.views}
    gantt = views[GanttView]
    assert isinstance(gantt, GanttView)
    assert (gantt.start, gantt.end) == ("planned_start", "planned_finish")
    assert (gantt.progress, gantt.depends_on) == ("percent_complete", "predecessors")
    assert isinstance(views[KanbanView].by, str)
    assert isinstance(views[CalendarView].date, str)
    assert {v.type for v in views.values()} == {"kanban", "calendar", "gantt"}
