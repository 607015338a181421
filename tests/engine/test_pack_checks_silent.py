"""Mistakes that used to import and then fail at run time, or quietly give nothing, are refused
at import: each at the key that holds it, with its code, and nothing is installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, actor
from engine.builder.expressions import check_expression as builder_check
from engine.builder.view_edits import choices
from engine.definitions.checks import check_pack
from engine.definitions.loader import load_pack
from engine.errors import DefinitionError, ValidationFailed
from engine.packs import import_pack, list_packs
from engine.records import create_record, update_record
from tests.engine.sample_pack import module as sample_module
from tests.engine.sample_pack import sample_pack
from tests.engine.test_pack_checks import base, fields, module

Pack = dict[str, Any]


def located(pack: Pack) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in check_pack(pack)]


def when(text: str) -> Callable[[Pack], None]:
    def edit(pack: Pack) -> None:
        module(pack, "tally")["workflow"]["transitions"][0]["when"] = text

    return edit


def report(**changes: Any) -> Callable[[Pack], None]:
    def edit(pack: Pack) -> None:
        pack["reports"][0].update(changes)
        pack["reports"][0].pop("chart")

    return edit


GUARD = "/modules/1/workflow/transitions/0/when"
STATES = [
    ("$state == 'aproved'", "aproved"),
    ("$state != 'aproved' and hours > 0", "aproved"),
    ("$state in ['draft', 'sumbitted']", "sumbitted"),
    ("'rejcted' == $state", "rejcted"),
]


@pytest.mark.parametrize(("text", "wrong"), STATES)
def test_a_misspelled_state_in_a_guard_is_refused_with_the_closest_state(
    text: str, wrong: str
) -> None:
    pack = base()
    when(text)(pack)
    problems = check_pack(pack)
    assert [(p.path, p.code) for p in problems] == [(GUARD, "expression_unknown_state")]
    assert problems[0].params["value"] == wrong
    assert "did you mean" in problems[0].message
    assert "approved, draft, rejected, submitted" in problems[0].message


def test_a_misspelled_state_is_found_in_every_kind_of_expression() -> None:
    pack = base()
    tally = module(pack, "tally")
    tally["ui"]["show_if"]["reason"] = "$state == 'drafts'"
    fields(pack, "project")["spent"]["x-rollup"]["where"] = "$state == 'aproved'"
    pack["reports"][0]["where"] = "$state not in ['aproved']"
    pack["dashboards"] = [
        {
            "id": "site",
            "title": "Site",
            "cards": [
                {"type": "number", "title": "Open", "module": "tally", "where": "$state == 'dr'"}
            ],
        }
    ]
    assert located(pack) == [
        ("/modules/0/schema/properties/spent/x-rollup/where", "expression_unknown_state"),
        ("/modules/1/ui/show_if/reason", "expression_unknown_state"),
        ("/reports/0/where", "expression_unknown_state"),
        ("/dashboards/0/cards/0/where", "expression_unknown_state"),
    ]


def test_a_choice_compared_with_a_value_it_cannot_hold_is_refused() -> None:
    pack = base()
    tally = module(pack, "tally")
    tally["ui"]["show_if"]["reason"] = "trade == 'rebarr'"
    tally["ui"]["required_if"]["reason"] = "'nigth' in tags"
    when("trade in ['concrete', 'steel']")(pack)
    problems = check_pack(pack)
    assert [(p.path, p.code, p.params["value"]) for p in problems] == [
        ("/modules/1/ui/show_if/reason", "expression_unknown_choice", "rebarr"),
        ("/modules/1/ui/required_if/reason", "expression_unknown_choice", "nigth"),
        (GUARD, "expression_unknown_choice", "steel"),
    ]
    assert "'rebar'" in problems[0].message and "'night'" in problems[1].message


def test_states_and_choices_that_exist_pass() -> None:
    pack = base()
    when("$state in ['draft', 'rejected'] and trade != 'concrete' and 'night' in tags")(pack)
    module(pack, "tally")["ui"]["show_if"]["reason"] = "trade != '' and $state != ''"
    assert located(pack) == []


# a link path (`project.name`) is one join now: tests/engine/test_reports_over_time.py
REPORTS = [
    ({"measures": {"hours": "sum(items.hours)"}}, "/reports/0/measures/hours", None),
    ({"group_by": ["items"]}, "/reports/0/group_by/0", "expr_not_stored"),
    ({"where": "checker == user.id"}, "/reports/0/where", "expr_not_in_database"),
    ({"where": "'night' in tags"}, "/reports/0/where", "expr_sql_in_list"),
]


@pytest.mark.parametrize(("change", "path", "inner"), REPORTS)
def test_a_report_the_database_cannot_compute_is_refused(
    change: dict[str, Any], path: str, inner: str | None
) -> None:
    pack = base()
    report(**change)(pack)
    problems = check_pack(pack)
    assert [(p.path, p.code) for p in problems] == [(path, "not_in_database")]
    if inner is not None:
        assert problems[0].params["expression_code"] == inner


def test_a_rollup_and_a_card_measure_through_a_link_are_refused() -> None:
    pack = base()
    fields(pack, "project")["spent"]["x-rollup"]["where"] = "project.name != ''"
    pack["dashboards"] = [
        {
            "id": "site",
            "title": "Site",
            "cards": [
                {
                    "type": "number",
                    "title": "Budget",
                    "module": "tally",
                    "measure": "sum(project.budget)",
                }
            ],
        }
    ]
    assert located(pack) == [
        ("/modules/0/schema/properties/spent/x-rollup/where", "not_in_database"),
        ("/dashboards/0/cards/0/measure", "not_in_database"),
    ]


def test_an_import_of_a_silent_failure_changes_nothing(session: Session) -> None:
    pack = base()
    when("$state == 'aproved'")(pack)
    pack.pop("seed")
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    assert [(p.path, p.code) for p in refused.value.problems] == [
        (GUARD, "expression_unknown_state")
    ]
    assert list_packs(session) == []
    when("$state == 'approved'")(pack)
    import_pack(session, pack)
    assert [p.id for p in list_packs(session)] == ["site"]


SHOW_IF = "/modules/1/ui/show_if/reason"


def test_a_path_through_a_second_link_or_a_linked_child_table_is_refused() -> None:
    pack = base()
    fields(pack, "project")["lead"] = {"type": "string", "x-ref": "tally"}
    fields(pack, "project")["phases"] = {
        "type": "array",
        "items": {"type": "object", "properties": {"name": {"type": "string"}}},
    }
    for text in ["project.lead.worker != ''", "len(project.phases) > 0"]:
        module(pack, "tally")["ui"]["show_if"]["reason"] = text
        problems = check_pack(pack)
        assert [(p.path, p.code) for p in problems] == [(SHOW_IF, "unknown_name")]
        assert "follows one link" in problems[0].message
    module(pack, "tally")["ui"]["show_if"]["reason"] = "project.name != ''"
    assert located(pack) == []


def test_a_value_computed_when_read_is_refused_through_a_link() -> None:
    pack = base()
    fields(pack, "project")["days"] = {
        "type": "integer",
        "x-formula": "days_between(today(), today())",
    }
    module(pack, "tally")["ui"]["show_if"]["reason"] = "project.days > 3"
    fields(pack, "tally")["mark"] = {"type": "integer", "x-formula": "project.days"}
    problems = check_pack(pack)
    assert [(p.path, p.code) for p in problems] == [
        ("/modules/1/schema/properties/mark/x-formula", "read_time_through_link"),
        (SHOW_IF, "read_time_through_link"),
    ]
    assert "today()" in problems[0].message


def test_a_required_yes_no_field_takes_only_yes(session: Session) -> None:
    pack = sample_pack()
    labour = sample_module(pack, "labour")
    labour["schema"]["required"].append("checked")
    labour["ui"]["required_if"]["briefed"] = "hours > 8"
    labour["schema"]["properties"]["briefed"] = {"type": "boolean"}
    import_pack(session, pack)
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    foreman = actor("lee", "foreman")
    data = {
        "project": project.id,
        "date": "2026-10-01",
        "worker": "Lee",
        "checked": False,
        "overtime_reason": "pour",
        "items": [{"task": "t", "hours": 9, "rate": "10.50"}],
    }
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "labour", data, foreman)
    assert sorted((p.path, p.code) for p in refused.value.problems) == [
        ("/briefed", "required"),
        ("/checked", "required_yes"),
    ]
    made = create_record(session, "labour", {**data, "checked": True, "briefed": True}, foreman)
    assert made.data["checked"] is True
    with pytest.raises(ValidationFailed) as unticked:
        update_record(session, "labour", made.id, made.version, {"briefed": False}, foreman)
    assert [(p.path, p.code) for p in unticked.value.problems] == [("/briefed", "required_yes")]


def test_a_sort_the_list_cannot_sort_by_is_refused_and_never_offered() -> None:
    pack = base()
    fields(pack, "tally")["age"] = {"type": "integer", "x-formula": "days_between(date, today())"}
    tally_list = module(pack, "tally")["ui"]["list"]
    tally_list["sort"] = ["tags", "-items", "age", "-date"]
    assert located(pack) == [
        ("/modules/1/ui/list/sort/0", "sort_not_single"),
        ("/modules/1/ui/list/sort/1", "sort_not_single"),
        ("/modules/1/ui/list/sort/2", "read_time_in_database"),
    ]
    offered = choices(pack, "tally").places["sort"]
    assert {"date", "worker", "hours"} <= set(offered)
    assert not {"tags", "items", "age"} & set(offered)


def test_reserved_field_ids_are_refused_by_name() -> None:
    pack = base()
    fields(pack, "tally")["state"] = {"type": "string"}
    fields(pack, "tally")["title__project"] = {"type": "string"}
    fields(pack, "tally")["items"]["items"]["properties"]["idx"] = {"type": "integer"}
    with pytest.raises(DefinitionError) as refused:
        load_pack(pack)
    found = {p.path: (p.code, p.message) for p in refused.value.problems}
    tally = "/modules/1/schema/properties"
    assert found[f"{tally}/state"][0] == "reserved_field_name"
    assert "'state'" in found[f"{tally}/state"][1]
    assert found[f"{tally}/items/items/properties/idx"][0] == "reserved_child_column"
    pack = base()
    fields(pack, "tally")["title__project"] = {"type": "string"}
    assert located(pack) == [(f"{tally}/title__project", "reserved_separator")]


def test_min_or_max_over_a_multi_choice_is_refused_where_the_database_computes() -> None:
    pack = base()
    report(measures={"latest": "max(tags)", "lines": "count(tags)"})(pack)
    problems = check_pack(pack)
    assert [(p.path, p.code) for p in problems] == [
        ("/reports/0/measures/latest", "aggregate_over_choices")
    ]
    assert "count()" in problems[0].message


def test_the_builder_editor_says_a_report_part_cannot_be_computed_before_publishing() -> None:
    pack = base()
    group = builder_check(pack, "tally", "report_group", "project.name")
    assert [(p.code, p.params["expression_code"]) for p in group.problems] == [
        ("not_in_database", "expr_not_in_database")
    ]
    measure = builder_check(pack, "tally", "report_measure", "max(tags)")
    assert [p.code for p in measure.problems] == ["aggregate_over_choices"]
    state = builder_check(pack, "tally", "when", "$state == 'aproved'")
    assert [p.code for p in state.problems] == ["expression_unknown_state"]
    assert builder_check(pack, "tally", "report_group", "month(date)").problems == ()
