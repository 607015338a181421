"""Builder layout edits: sections of fields that the pack checks accept, refused with codes."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from engine.builder import edits
from engine.builder.layout_edits import (
    SectionDraft,
    add_section,
    layout_of,
    move_field,
    remove_section,
    rename_section,
    set_layout,
)
from engine.definitions import load_pack
from engine.errors import ValidationFailed


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [p.code for p in exc.value.problems]


def visit() -> dict:
    """A module with four fields and no layout yet."""
    pack = edits.new_pack("works", "Works", "工程")
    pack = edits.start_module(pack, "visit", {"en": "Site visit", "zh-CN": "巡检"})
    for label in ("Inspector", "Date", "Hours", "Notes"):
        kind = {"Date": "date", "Hours": "integer"}.get(label, "text")
        pack, _name = edits.add_field(pack, "visit", kind, {"en": label})
    return pack


def sections_of(pack: dict) -> list[tuple[str, int, list[str]]]:
    """(English title, columns, fields) of each section as the compiled form draws it."""
    module = load_pack(pack).module_map["visit"]
    return [
        (
            s.title.get("en", "") if isinstance(s.title, Mapping) else s.title,
            s.columns,
            list(s.fields),
        )
        for s in module.ui.layout
    ]


def test_a_module_without_a_layout_has_every_field_unplaced_in_schema_order():
    layout = layout_of(visit(), "visit")
    assert layout.sections == ()
    assert layout.unplaced == ("inspector", "date", "hours", "notes")


def test_sections_added_moved_renamed_and_removed_compile_as_the_form_shows_them():
    pack = add_section(visit(), "visit", SectionDraft("Work", "工作", 2, ("inspector", "date")))
    pack = add_section(pack, "visit", SectionDraft("Pay", "", 1, ("hours",)))
    assert layout_of(pack, "visit").unplaced == ("notes",)
    assert pack["modules"][0]["ui"]["layout"][0] == {
        "title": {"en": "Work", "zh-CN": "工作"},
        "columns": 2,
        "fields": ["inspector", "date"],
    }
    pack = move_field(pack, "visit", "date", 1, 0)
    pack = move_field(pack, "visit", "notes", 0)
    assert sections_of(pack) == [
        ("Work", 2, ["inspector", "notes"]),
        ("Pay", 1, ["date", "hours"]),
    ]
    pack = rename_section(pack, "visit", 1, "Time", "时间", 3)
    assert layout_of(pack, "visit").sections[1] == SectionDraft(
        "Time", "时间", 3, ("date", "hours")
    )
    pack = move_field(pack, "visit", "inspector", None)
    pack = remove_section(pack, "visit", 1)
    layout = layout_of(pack, "visit")
    assert [s.fields for s in layout.sections] == [("notes",)]
    assert layout.unplaced == ("inspector", "date", "hours")
    # the unplaced fields follow the sections in the real form, in schema order
    assert sections_of(pack)[-1] == ("", 1, ["inspector", "date", "hours"])


def test_a_section_added_with_a_placed_field_takes_it_from_its_old_section():
    pack = add_section(visit(), "visit", SectionDraft("A", "", 1, ("inspector", "date")))
    pack = add_section(pack, "visit", SectionDraft("B", "", 1, ("date",)), position=0)
    assert [s.fields for s in layout_of(pack, "visit").sections] == [("date",), ("inspector",)]


def test_an_untitled_section_is_accepted_and_written_without_a_title():
    pack = set_layout(visit(), "visit", [SectionDraft("", "", 1, ("hours", "date"))])
    assert pack["modules"][0]["ui"]["layout"] == [{"fields": ["hours", "date"]}]
    assert sections_of(pack)[0] == ("", 1, ["hours", "date"])


def test_no_sections_removes_the_layout():
    pack = add_section(visit(), "visit", SectionDraft("A", "", 1, ("inspector",)))
    pack = set_layout(pack, "visit", [])
    assert "ui" not in pack["modules"][0]


def test_an_unknown_field_a_field_twice_bad_columns_and_an_empty_section_are_all_refused():
    pack = visit()
    bad = [
        SectionDraft("A", "", 5, ("inspector", "nope")),
        SectionDraft("B", "", 0, ("inspector",)),
        SectionDraft("C", "", 1, ()),
    ]
    with pytest.raises(ValidationFailed) as refused:
        set_layout(pack, "visit", bad)
    assert codes(refused) == [
        "builder_columns_range",
        "builder_unknown_field",
        "builder_columns_range",
        "builder_field_placed_twice",
        "builder_section_empty",
    ]
    twice = refused.value.problems[3]
    assert twice.path == "/modules/0/ui/layout/1/fields"
    assert twice.params == {"value": "inspector", "section": 1}
    assert pack == visit()  # the pack given is never changed


def test_moving_the_last_field_out_of_a_section_is_refused_and_a_missing_section_too():
    pack = add_section(visit(), "visit", SectionDraft("A", "", 1, ("inspector",)))
    with pytest.raises(ValidationFailed) as refused:
        move_field(pack, "visit", "inspector", None)
    assert codes(refused) == ["builder_section_empty"]
    with pytest.raises(ValidationFailed) as refused:
        move_field(pack, "visit", "date", 3)
    assert codes(refused) == ["builder_unknown_section"]
    with pytest.raises(ValidationFailed) as refused:
        move_field(pack, "visit", "ghost", 0)
    assert codes(refused) == ["builder_unknown_field"]
    with pytest.raises(ValidationFailed) as refused:
        rename_section(pack, "visit", 0, "x" * 201, "", 1)
    assert codes(refused) == ["builder_text_too_long"]


def test_a_removed_field_leaves_no_place_in_the_layout():
    pack = add_section(visit(), "visit", SectionDraft("A", "", 1, ("inspector", "date")))
    pack = add_section(pack, "visit", SectionDraft("B", "", 1, ("hours",)))
    pack = edits.remove_field(pack, "visit", "date")
    pack = edits.remove_field(pack, "visit", "hours")
    assert pack["modules"][0]["ui"]["layout"] == [{"title": {"en": "A"}, "fields": ["inspector"]}]
    load_pack(pack)  # still a pack the checks accept
