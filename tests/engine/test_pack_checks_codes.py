"""Each field and ui check of a pack answers its own code at its place, so an integrator can
branch on the reason and a reader gets the sentence in their language (engine/codes_fields.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.codes_fields import CHECKS
from engine.definitions.checks import check_pack
from tests.engine.test_pack_checks import base, fields, module, problems

Pack = dict[str, Any]
TALLY = "/modules/1/schema/properties"
PROJECT = "/modules/0/schema/properties"
UI = "/modules/1/ui"


def _tally(name: str, schema: dict[str, Any]) -> Callable[[Pack], None]:
    return lambda p: fields(p, "tally").__setitem__(name, schema)


def _field(name: str, key: str, value: Any, module_id: str = "tally") -> Callable[[Pack], None]:
    return lambda p: fields(p, module_id)[name].__setitem__(key, value)


def _rollup(key: str, value: Any) -> Callable[[Pack], None]:
    return lambda p: fields(p, "project")["spent"]["x-rollup"].__setitem__(key, value)


def _ui(part: str, change: Callable[[Any], None]) -> Callable[[Pack], None]:
    return lambda p: change(module(p, "tally")["ui"][part])


def _required(name: str) -> Callable[[Pack], None]:
    return lambda p: module(p, "tally")["schema"]["required"].append(name)


def _title_field(name: str) -> Callable[[Pack], None]:
    return lambda p: module(p, "tally").__setitem__("title_field", name)


def _column(name: str, schema: dict[str, Any]) -> Callable[[Pack], None]:
    return lambda p: fields(p, "tally")["items"]["items"]["properties"].__setitem__(name, schema)


def _project_ui(p: Pack) -> None:
    module(p, "project")["ui"] = {"list": {"columns": ["$state"]}}


def _module_named_like_a_child_table(p: Pack) -> None:
    schema = {"type": "object", "properties": {"note": {"type": "string"}}}
    p["modules"].append({"id": "tally__items", "title": "Clash", "schema": schema})


# The meta-schema already refuses these; the checks keep their own guard all the same.
BEHIND_THE_META_SCHEMA = {"unknown_system_value"}
ROLLUP = {"module": "tally", "link": "project", "value": "count()"}

CASES: dict[str, tuple[Callable[[Pack], None], str]] = {
    "required_not_a_field": (_required("workr"), "/modules/1/schema/required/3"),
    "required_computed": (_required("amount"), "/modules/1/schema/required/3"),
    "reserved_word": (_tally("from", {"type": "string"}), f"{TALLY}/from"),
    "default_invalid": (_field("reason", "default", 5), f"{TALLY}/reason/default"),
    "rollup_in_child_table": (
        _column("lines", {"type": "number", "x-rollup": ROLLUP}),
        f"{TALLY}/items/items/properties/lines/x-rollup",
    ),
    "type_missing": (_tally("vague", {"title": "Vague"}), f"{TALLY}/vague"),
    "array_without_items": (_tally("bag", {"type": "array"}), f"{TALLY}/bag"),
    "scale_not_a_number": (_field("worker", "x-scale", 2), f"{TALLY}/worker/x-scale"),
    "money_not_a_number": (_field("worker", "x-format", "money"), f"{TALLY}/worker/x-format"),
    "rating_not_an_integer": (
        _tally("stars", {"type": "number", "x-rating": 5}),
        f"{TALLY}/stars/x-rating",
    ),
    "special_kinds_at_once": (
        _tally("photo", {"type": "string", "x-file": True, "x-user": True}),
        f"{TALLY}/photo",
    ),
    "special_not_text": (
        _tally("count", {"type": "integer", "x-ref": "project"}),
        f"{TALLY}/count/x-ref",
    ),
    "special_with_enum": (
        _tally("boss", {"type": "string", "x-user": True, "enum": ["ann"]}),
        f"{TALLY}/boss/x-user",
    ),
    "file_keyword_without_file": (
        _tally("scan", {"type": "string", "x-accept": [".pdf"]}),
        f"{TALLY}/scan/x-accept",
    ),
    "format_not_text": (_tally("day", {"type": "number", "format": "date"}), f"{TALLY}/day/format"),
    "formula_and_rollup": (
        lambda p: fields(p, "project").__setitem__(
            "both", {"type": "number", "x-formula": "1", "x-rollup": ROLLUP}
        ),
        f"{PROJECT}/both",
    ),
    "child_table_formula": (_field("items", "x-formula", "1"), f"{TALLY}/items/x-formula"),
    "rollup_not_a_number": (_field("spent", "type", "string", "project"), f"{PROJECT}/spent/type"),
    "widget_mismatch": (_field("worker", "x-widget", "radio"), f"{TALLY}/worker/x-widget"),
    "pattern_invalid": (_field("worker", "pattern", "("), f"{TALLY}/worker/pattern"),
    "unknown_link_module": (_field("project", "x-ref", "projects"), f"{TALLY}/project/x-ref"),
    "titles_without_enum": (
        _field("worker", "x-enum-titles", {"a": "A"}),
        f"{TALLY}/worker/x-enum-titles",
    ),
    "title_not_a_choice": (
        lambda p: fields(p, "tally")["trade"]["x-enum-titles"].__setitem__("steel", "Steel"),
        f"{TALLY}/trade/x-enum-titles/steel",
    ),
    "choice_not_text": (_tally("size", {"type": "string", "enum": ["s", 1]}), f"{TALLY}/size/enum"),
    "choice_not_a_number": (
        _tally("size", {"type": "integer", "enum": [1, "s"]}),
        f"{TALLY}/size/enum",
    ),
    "boolean_with_choices": (_tally("ok", {"type": "boolean", "enum": [1]}), f"{TALLY}/ok/enum"),
    "choices_mixed": (_tally("size", {"enum": ["s", 1]}), f"{TALLY}/size/enum"),
    "bounds_reversed": (
        _tally("code", {"type": "string", "minLength": 5, "maxLength": 2}),
        f"{TALLY}/code/minLength",
    ),
    "rollup_unknown_module": (_rollup("module", "talley"), f"{PROJECT}/spent/x-rollup/module"),
    "rollup_link_unknown": (_rollup("link", "nope"), f"{PROJECT}/spent/x-rollup/link"),
    "rollup_link_wrong": (_rollup("link", "worker"), f"{PROJECT}/spent/x-rollup/link"),
    "table_name_taken": (_module_named_like_a_child_table, "/modules/2/id"),
    "ui_unknown_field": (_title_field("workr"), "/modules/1/title_field"),
    "unknown_system_value": (
        _ui("list", lambda ui: ui["columns"].append("$nope")),
        f"{UI}/list/columns/6",
    ),
    "state_without_workflow": (_project_ui, "/modules/0/ui/list/columns/0"),
    "title_not_single": (_title_field("tags"), "/modules/1/title_field"),
    "required_if_computed": (
        _ui("required_if", lambda ui: ui.__setitem__("amount", "hours > 8")),
        f"{UI}/required_if/amount",
    ),
    "placed_twice": (
        _ui("layout", lambda ui: ui.append({"title": "Again", "fields": ["worker"]})),
        f"{UI}/layout/1/fields/0",
    ),
    "sort_not_single": (_ui("list", lambda ui: ui.__setitem__("sort", "tags")), f"{UI}/list/sort"),
    "filter_child_table": (
        _ui("list", lambda ui: ui["filters"].append("items")),
        f"{UI}/list/filters/4",
    ),
    "search_not_text": (_ui("list", lambda ui: ui["search"].append("date")), f"{UI}/list/search/2"),
    "totals_not_a_number": (
        _ui("list", lambda ui: ui["totals"].append("worker")),
        f"{UI}/list/totals/2",
    ),
    "kanban_by_system_value": (
        _ui("views", lambda ui: ui[0].__setitem__("by", "$number")),
        f"{UI}/views/0/by",
    ),
    "kanban_not_a_choice": (
        _ui("views", lambda ui: ui[0].__setitem__("by", "worker")),
        f"{UI}/views/0/by",
    ),
    "view_field_kind": (
        _ui("views", lambda ui: ui[1].__setitem__("date", "worker")),
        f"{UI}/views/1/date",
    ),
}


def test_every_field_and_ui_code_has_a_case() -> None:
    assert sorted(CASES) == sorted(CHECKS)


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_field_or_ui_problem_answers_its_code_at_its_place(code: str) -> None:
    change, path = CASES[code]
    pack = base()
    change(pack)
    found = check_pack(pack) if code in BEHIND_THE_META_SCHEMA else problems(pack)
    assert (path, code) in {(p.path, p.code) for p in found}, found
    assert "invalid" not in {p.code for p in found}, found
