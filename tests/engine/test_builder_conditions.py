"""The builder's conditions: a field's show_if and required_if set, removed and refused with
coded reasons (code, unknown field, a number where a condition is needed, the field itself,
a child table's column), and a removed field's name left in another condition is reported
by the pack checks, so the draft cannot be published until it is put right."""

from __future__ import annotations

import copy

import pytest

from engine.builder.condition_edits import conditions_of, set_conditions
from engine.builder.edits import add_field, new_pack, remove_field, start_module
from engine.definitions import load_pack
from engine.errors import DefinitionError, ValidationFailed


def _pack() -> dict:
    pack = start_module(new_pack("tally", "Tally", ""), "labour", {"en": "Labour"})
    pack, _ = add_field(pack, "labour", "decimal", {"en": "Hours"})
    pack, _ = add_field(pack, "labour", "text", {"en": "Overtime reason"})
    pack, _ = add_field(pack, "labour", "formula", {"en": "Pay"})
    pack, items = add_field(pack, "labour", "table", {"en": "Items"})
    pack, _ = add_field(pack, "labour", "decimal", {"en": "Qty"}, table=items)
    return pack


def _refused(pack: dict, **conditions: str | None) -> ValidationFailed:
    before = copy.deepcopy(pack)
    with pytest.raises(ValidationFailed) as refused:
        set_conditions(
            pack,
            "labour",
            conditions.pop("field", "overtime_reason"),
            conditions.get("show_if"),
            conditions.get("required_if"),
            table=conditions.get("table"),
        )
    assert pack == before  # nothing changed in place
    return refused.value


def test_conditions_are_written_where_the_pack_format_keeps_them_and_compile() -> None:
    pack = set_conditions(_pack(), "labour", "overtime_reason", " hours > 8 ", "hours > 10")
    ui = pack["modules"][0]["ui"]
    assert ui["show_if"] == {"overtime_reason": "hours > 8"}
    assert ui["required_if"] == {"overtime_reason": "hours > 10"}
    assert conditions_of(pack["modules"][0], "overtime_reason") == {
        "show_if": "hours > 8",
        "required_if": "hours > 10",
    }
    module = load_pack(pack).module_map["labour"]
    assert module.ui.show_if["overtime_reason"].source == "hours > 8"


def test_an_empty_condition_removes_it_and_none_keeps_it() -> None:
    pack = set_conditions(_pack(), "labour", "overtime_reason", "hours > 8", "hours > 10")
    kept = set_conditions(pack, "labour", "overtime_reason", None, "")
    assert kept["modules"][0]["ui"] == {"show_if": {"overtime_reason": "hours > 8"}}
    cleared = set_conditions(kept, "labour", "overtime_reason", "", None)
    assert "ui" not in cleared["modules"][0]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("__import__('os')", "expr_underscore_name"),
        ("nope > 1", "unknown_name"),
        ("hours * 2", "builder_expr_not_condition"),
        ("hours >", "expr_syntax"),
    ],
)
def test_a_condition_the_checker_refuses_is_refused_at_its_place(text: str, code: str) -> None:
    refused = _refused(_pack(), show_if=text)
    [problem] = refused.problems
    assert code in (problem.code, problem.params.get("expression_code"))
    assert problem.path == "/modules/0/ui/show_if/overtime_reason"


def test_both_conditions_are_checked_and_every_problem_reported_at_once() -> None:
    refused = _refused(_pack(), show_if="nope > 1", required_if="hours + 1")
    found = {(p.path.rsplit("/", 2)[1], p.code) for p in refused.problems}
    assert found == {("show_if", "unknown_name"), ("required_if", "builder_expr_not_condition")}


def test_a_field_cannot_be_shown_or_required_by_its_own_value() -> None:
    refused = _refused(_pack(), field="hours", required_if="hours > 8")
    assert [p.code for p in refused.problems] == ["builder_condition_self"]
    assert refused.problems[0].params == {"field": "hours", "where": "required_if"}


def test_a_computed_field_cannot_be_required() -> None:
    refused = _refused(_pack(), field="pay", required_if="hours > 8")
    assert [p.code for p in refused.problems] == ["required_if_computed"]
    shown = set_conditions(_pack(), "labour", "pay", "hours > 0", None)
    assert shown["modules"][0]["ui"]["show_if"] == {"pay": "hours > 0"}


def test_a_child_tables_column_has_no_conditions() -> None:
    refused = _refused(_pack(), field="qty", show_if="hours > 8", table="items")
    assert refused.problems[0].code == "builder_condition_in_table"
    assert refused.problems[0].params == {"field": "qty", "table": "items"}
    untouched = set_conditions(_pack(), "labour", "qty", "", "", table="items")
    assert untouched == _pack()


def test_an_unknown_field_is_refused() -> None:
    assert _refused(_pack(), field="ghost", show_if="hours > 8").problems[0].code == (
        "builder_unknown_field"
    )


def test_removing_a_field_drops_its_own_conditions_and_reports_the_others() -> None:
    pack = set_conditions(_pack(), "labour", "overtime_reason", "hours > 8", None)
    pack = set_conditions(pack, "labour", "hours", "pay >= 0", None)
    without_reason = remove_field(pack, "labour", "overtime_reason")
    assert without_reason["modules"][0]["ui"]["show_if"] == {"hours": "pay >= 0"}
    load_pack(without_reason)  # its own condition went with it: still a valid pack
    without_hours = remove_field(pack, "labour", "hours")
    with pytest.raises(DefinitionError) as broken:
        load_pack(without_hours)
    paths = [p.path for p in broken.value.problems]
    assert "/modules/0/ui/show_if/overtime_reason" in paths
