"""The compiled model is what downstream code reads: views are typed, changes are described from it."""

from __future__ import annotations

import json
from pathlib import Path

from engine.definitions import load_pack
from engine.definitions.model import CalendarView, GanttView, KanbanView
from engine.packs import describe_changes
from tests.engine.sample_pack import module, sample_pack

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


def test_upgrade_changes_are_described_from_the_compiled_packs() -> None:
    old = load_pack(sample_pack())
    raw = sample_pack(version="1.1.0")
    labour = module(raw, "labour")
    labour["schema"]["properties"]["shift"] = {"enum": ["day", "night"]}
    labour["schema"]["properties"]["worker"]["maxLength"] = 7
    del labour["workflow"]["states"]["approved"]
    labour["workflow"]["transitions"] = [
        t for t in labour["workflow"]["transitions"] if "approved" not in (t["to"], t["from"])
    ]
    # the project's rollup summed approved tallies: it must now name a state that exists
    project_fields = module(raw, "project")["schema"]["properties"]
    project_fields["actual"]["x-rollup"]["where"] = "$state == 'submitted'"
    raw["roles"].append({"id": "auditor", "title": "Auditor"})
    lines = describe_changes(old, load_pack(raw))
    assert "+ role auditor" in lines
    assert "+ module labour: field shift" in lines
    assert "~ module labour: field worker" in lines
    assert "- module labour: state approved" in lines
    assert [line for line in lines if "module project" in line] == [
        "~ module project",
        "~ module project: field actual",
    ]
    assert describe_changes(old, load_pack(sample_pack(version="1.1.0"))) == []  # version alone
    assert describe_changes(None, old)[:2] == ["+ role foreman", "+ role site_manager"]
