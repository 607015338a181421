"""The builder's list and views edits: each place offers only the fields the pack checks take
there, a name that does not fit is refused with a coded reason, and what is saved loads."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from engine.builder import edits
from engine.builder.view_edits import choices, list_of, set_list, set_views, views_of
from engine.builder.workflow_edits import start_workflow
from engine.definitions import load_pack
from engine.errors import ValidationFailed

ROOT = Path(__file__).resolve().parents[2]


def _pack(workflow: bool = True) -> dict[str, Any]:
    pack = edits.new_pack("works", "Works", "")
    pack = edits.start_module(pack, "visit", {"en": "Visit"})
    for kind, label in (
        ("text", "Place"),
        ("date", "Day"),
        ("money", "Cost"),
        ("choice", "Trade"),
        ("multichoice", "Tags"),
        ("table", "Items"),
    ):
        pack, _name = edits.add_field(pack, "visit", kind, {"en": label})
    pack["modules"][0]["schema"]["properties"]["trade"]["enum"] = ["civil", "mep"]
    pack["modules"][0]["schema"]["properties"]["tags"]["items"]["enum"] = ["a", "b"]
    pack, _name = edits.add_field(pack, "visit", "text", {"en": "What"}, table="items")
    return start_workflow(pack, "visit") if workflow else pack


def _refused(call: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as refused:
        call()
    return [(p.code, p.params.get("value") or p.params.get("key")) for p in refused.value.problems]


def test_each_place_offers_the_fields_that_fit():
    offered = choices(_pack(), "visit")
    assert offered.places["totals"] == ("cost",)
    assert offered.places["search"] == ("place", "trade")
    assert "items" not in offered.places["filters"] and "tags" not in offered.places["sort"]
    assert (
        offered.places["columns"][:2] == ("$id", "$number") and "items" in offered.places["columns"]
    )
    assert "$state" in offered.places["sort"]
    assert offered.views["kanban"]["by"] == ("$state", "trade")
    assert offered.views["calendar"]["date"] == ("day",)
    assert offered.views["gantt"]["progress"] == ("cost",)
    assert offered.required["gantt"] == ("start", "end")
    plain = choices(_pack(workflow=False), "visit")
    assert "$state" not in plain.places["columns"] and plain.views["kanban"]["by"] == ("trade",)


def test_a_list_is_written_as_the_pack_format_has_it_and_loads():
    pack = set_list(
        _pack(), "visit",
        columns=["$number", "day", "place", "cost", "$state"], sort="day", descending=True,
        filters=["trade", "$state"], search=["place"], totals=["cost"],
    )  # fmt: skip
    listing = pack["modules"][0]["ui"]["list"]
    assert listing == {
        "columns": ["$number", "day", "place", "cost", "$state"],
        "sort": "-day",
        "filters": ["trade", "$state"],
        "search": ["place"],
        "totals": ["cost"],
    }
    assert list_of(pack, "visit")["sort"] == "day" and list_of(pack, "visit")["descending"]
    module = load_pack(pack).module_map["visit"]
    assert module.ui.list.columns[1] == "day" and module.ui.list.totals == ("cost",)
    cleared = set_list(pack, "visit")
    assert "ui" not in cleared["modules"][0]


def test_names_that_do_not_fit_are_refused_and_the_pack_is_untouched():
    pack = _pack()
    before = copy.deepcopy(pack)
    assert _refused(lambda: set_list(pack, "visit", totals=["place"], sort="tags")) == [
        ("builder_field_unfit", "tags"),
        ("builder_field_unfit", "place"),
    ]
    assert _refused(lambda: set_list(pack, "visit", search=["nope"])) == [
        ("builder_unknown_field", "nope")
    ]
    plain = _pack(workflow=False)
    assert _refused(lambda: set_list(plain, "visit", columns=["$state"])) == [
        ("builder_field_unfit", "$state")
    ]
    assert pack == before


def test_views_are_chosen_from_the_fields_that_fit():
    pack = set_views(
        _pack(), "visit", [{"type": "kanban", "by": "$state"}, {"type": "calendar", "date": "day"}]
    )
    assert pack["modules"][0]["ui"]["views"] == [
        {"type": "kanban", "by": "$state"},
        {"type": "calendar", "date": "day"},
    ]
    assert set(views_of(pack, "visit")) == {"kanban", "calendar"}
    assert len(load_pack(pack).module_map["visit"].ui.views) == 2
    gantt = {"type": "gantt", "start": "day", "end": "day", "progress": "", "depends_on": ""}
    assert set_views(pack, "visit", [gantt])["modules"][0]["ui"]["views"] == [
        {"type": "gantt", "start": "day", "end": "day"}
    ]
    assert _refused(lambda: set_views(pack, "visit", [{"type": "gantt", "start": "day"}])) == [
        ("builder_view_needs", "end")
    ]
    assert _refused(lambda: set_views(pack, "visit", [{"type": "calendar", "date": "cost"}])) == [
        ("builder_field_unfit", "cost")
    ]
    assert _refused(lambda: set_views(pack, "visit", [{"type": "pie"}])) == [
        ("builder_unknown_view", "pie")
    ]


def test_a_value_computed_when_read_is_not_offered_where_the_database_computes():
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    offered = choices(pack, "schedule")
    assert "days_overdue" in offered.places["columns"]  # today(): shown, never summed in SQL
    assert "days_overdue" not in offered.places["totals"]
    assert "days_overdue" not in offered.places["sort"]
    assert "percent_complete" in offered.places["totals"]
    assert _refused(lambda: set_list(pack, "schedule", totals=["days_overdue"])) == [
        ("builder_field_unfit", "days_overdue")
    ]


def test_saving_the_views_keeps_what_the_form_does_not_show() -> None:
    """The bundled schedule's Gantt names a key, a group, actual dates and a milestone, which
    the builder's form has no control for; a second board is not on the form either. Saving
    the views changes what was edited and keeps the rest as it was."""
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    module = next(m for m in pack["modules"] if m["id"] == "schedule")
    gantt_before = next(v for v in module["ui"]["views"] if v["type"] == "gantt")
    module["ui"]["views"].append({"type": "kanban", "by": "phase"})  # a second board
    shown = views_of(pack, "schedule")
    posted = [
        {**shown["kanban"], "by": "status"},
        {**shown["gantt"], "progress": ""},  # the admin clears the progress field
    ]
    saved = set_views(pack, "schedule", posted)
    views = next(m for m in saved["modules"] if m["id"] == "schedule")["ui"]["views"]
    gantt = next(v for v in views if v["type"] == "gantt")
    assert "progress" not in gantt
    for key in ("key", "group", "actual", "milestone", "depends_on"):
        assert gantt[key] == gantt_before[key], key
    assert [v["by"] for v in views if v["type"] == "kanban"] == ["status", "phase"]
    assert not [v for v in views if v["type"] == "calendar"]  # switched off: gone
    load_pack(saved)
