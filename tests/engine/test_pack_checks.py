"""The semantic checks find what the meta-schema cannot, each at its place, all at once."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from engine.definitions.checks import check_pack
from engine.definitions.jsontext import duplicate_keys
from engine.errors import Problem

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "pack.schema.json"
META = Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))

BASE: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "site",
    "version": "1.0.0",
    "title": "Site",
    "roles": [
        {"id": "foreman", "title": "Foreman"},
        {"id": "site_manager", "title": "Site manager"},
        {"id": "accountant", "title": "Accountant"},
    ],
    "modules": [
        {
            "id": "project",
            "title": "Project",
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "budget": {"type": "number", "x-scale": 2, "x-format": "money"},
                    "spent": {
                        "type": "number",
                        "x-scale": 2,
                        "x-rollup": {
                            "module": "tally",
                            "link": "project",
                            "value": "sum(amount)",
                            "where": "$state == 'approved'",
                        },
                    },
                    "left": {"type": "number", "x-scale": 2, "x-formula": "budget - spent"},
                },
            },
        },
        {
            "id": "tally",
            "title": "Labour tally",
            "title_field": "worker",
            "schema": {
                "type": "object",
                "required": ["project", "date", "worker"],
                "properties": {
                    "project": {"type": "string", "x-ref": "project"},
                    "date": {"type": "string", "format": "date"},
                    "worker": {"type": "string"},
                    "checker": {"type": "string", "x-user": True},
                    "trade": {
                        "enum": ["rebar", "concrete"],
                        "x-enum-titles": {"rebar": "Rebar", "concrete": "Concrete"},
                        "default": "rebar",
                    },
                    "tags": {
                        "type": "array",
                        "items": {"enum": ["night", "rework"]},
                        "uniqueItems": True,
                        "x-enum-titles": {"night": "Night shift"},
                    },
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "work": {"type": "string"},
                                "hours": {"type": "number", "x-scale": 1},
                                "rate": {"type": "number", "x-scale": 2},
                                "amount": {
                                    "type": "number",
                                    "x-scale": 2,
                                    "x-formula": "hours * rate",
                                },
                            },
                        },
                    },
                    "hours": {"type": "number", "x-scale": 1, "x-formula": "sum(items.hours)"},
                    "amount": {"type": "number", "x-scale": 2, "x-formula": "sum(items.amount)"},
                    "reason": {"type": "string"},
                    "notes": {"type": "string", "x-widget": "textarea"},
                },
            },
            "ui": {
                "layout": [{"title": "Work", "fields": ["project", "date", "worker", "trade"]}],
                "widgets": {"notes": "textarea", "trade": "radio"},
                "show_if": {"reason": "hours > 8"},
                "required_if": {"reason": "hours > 8 and project.name != ''"},
                "list": {
                    "columns": ["$number", "date", "worker", "hours", "amount", "$state"],
                    "sort": "-date",
                    "filters": ["project", "date", "trade", "$state"],
                    "search": ["worker", "notes"],
                    "totals": ["hours", "amount"],
                },
                "views": [
                    {"type": "kanban", "by": "$state"},
                    {"type": "calendar", "date": "date"},
                ],
            },
            "workflow": {
                "initial": "draft",
                "states": {
                    "draft": {"title": "Draft"},
                    "submitted": {"title": "Submitted", "due": "P2D", "on_due": "escalate"},
                    "approved": {"title": "Approved", "final": True},
                    "rejected": {"title": "Rejected"},
                },
                "transitions": [
                    {
                        "id": "submit",
                        "from": ["draft", "rejected"],
                        "to": "submitted",
                        "roles": ["foreman"],
                        "requires": ["worker"],
                        "when": "hours > 0",
                    },
                    {
                        "id": "approve",
                        "from": "submitted",
                        "to": "approved",
                        "roles": ["site_manager"],
                        "approval": {"quorum": "any", "approvers": {"role": "site_manager"}},
                        "notify": {"role": "accountant"},
                    },
                    {"id": "escalate", "from": "submitted", "to": "rejected"},
                    {
                        "id": "check",
                        "from": "submitted",
                        "to": "approved",
                        "approval": {"quorum": "60%", "approvers": {"field": "checker"}},
                        "notify": {"field": "checker"},
                    },
                ],
            },
            "permissions": {
                "foreman": {"create": True, "read": "own", "update": "own"},
                "site_manager": {"read": "all", "scope": ["project"]},
                "accountant": {"read": "all", "export": True, "fields": {"notes": "hidden"}},
            },
            "prints": [{"id": "slip", "title": "Slip", "template": "<h1>{{ record.number }}</h1>"}],
        },
    ],
    "reports": [
        {
            "id": "by_worker",
            "title": "By worker",
            "module": "tally",
            "where": "$state == 'approved'",
            "group_by": ["worker", "month(date)"],
            "measures": {"lines": "count()", "hours": "sum(hours)"},
            "chart": {"type": "bar", "x": "month(date)", "y": "hours", "series": "worker"},
        }
    ],
    "seed": {
        "project": [{"$key": "p1", "name": "Riverside Tower", "budget": 1000000.5}],
        "tally": [
            {
                "$state": "approved",
                "project": {"$seed": "p1"},
                "date": "2026-03-02",
                "worker": "Li Wei",
                "items": [{"work": "rebar tying", "hours": 8, "rate": 42.5}],
            }
        ],
    },
}


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def module(pack: dict[str, Any], module_id: str) -> dict[str, Any]:
    return next(m for m in pack["modules"] if m["id"] == module_id)


def fields(pack: dict[str, Any], module_id: str) -> dict[str, Any]:
    return module(pack, module_id)["schema"]["properties"]


def problems(pack: dict[str, Any], installed: dict[str, Any] | None = None) -> list[Problem]:
    """check_pack's answer for a pack that passes the meta-schema (its precondition)."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in META.iter_errors(pack)]
    assert errors == [], "the test pack must pass the meta-schema"
    return check_pack(pack, installed)


def only(pack: dict[str, Any], installed: dict[str, Any] | None = None) -> Problem:
    """The one problem of `pack`."""
    found = problems(pack, installed)
    assert len(found) == 1, found
    return found[0]


def test_the_base_pack_has_no_problem() -> None:
    assert problems(base()) == []


# -- duplicate ids --------------------------------------------------------------------------


def test_a_module_id_used_twice() -> None:
    pack = base()
    pack["modules"].append(copy.deepcopy(module(pack, "project")))
    problem = problems(pack)[0]
    assert problem == Problem(
        "/modules/2/id", "module_id_twice", {"module": "project", "other": "/modules/0"}
    )
    assert problem.message == "module id 'project' is used twice (also at /modules/0)"


def test_a_module_id_of_another_installed_pack() -> None:
    pack = base()
    installed = {
        "project": {"id": "project", "title": "P", "schema": {"type": "object", "properties": {}}}
    }
    problem = only(pack, installed)
    assert problem.path == "/modules/0/id"
    assert "already belongs to another installed pack" in problem.message


def test_a_role_declared_twice_and_admin_declared() -> None:
    pack = base()
    pack["roles"] += [{"id": "foreman", "title": "Again"}, {"id": "admin", "title": "Admin"}]
    assert [(p.path, p.code, p.message) for p in problems(pack)] == [
        ("/roles/3/id", "role_declared_twice", "role id 'foreman' is declared more than once"),
        ("/roles/4/id", "role_built_in", "role 'admin' is built in; do not declare it"),
    ]


def test_a_report_id_used_twice() -> None:
    pack = base()
    pack["reports"].append(copy.deepcopy(pack["reports"][0]))
    problem = only(pack)
    assert (problem.path, problem.code) == ("/reports/1/id", "report_id_twice")
    assert problem.message == "report id 'by_worker' is used more than once"


def test_a_transition_id_used_twice() -> None:
    pack = base()
    transitions = module(pack, "tally")["workflow"]["transitions"]
    transitions.append({"id": "submit", "from": "draft", "to": "submitted"})
    problem = only(pack)
    assert (problem.path, problem.code) == (
        "/modules/1/workflow/transitions/4/id",
        "transition_id_twice",
    )
    assert problem.message == "transition id 'submit' is used more than once in tally"


def test_a_print_id_used_twice() -> None:
    pack = base()
    prints = module(pack, "tally")["prints"]
    prints.append(dict(prints[0]))
    assert only(pack).path == "/modules/1/prints/1/id"


def test_a_state_written_twice_is_found_in_the_text() -> None:
    text = json.dumps(base(), ensure_ascii=False)
    text = text.replace('"draft": {"title": "Draft"}', '"draft": {"title": "Draft"}, "draft": {}')
    assert duplicate_keys(text) == [
        Problem("/modules/1/workflow/states/draft", "duplicate_key", {"key": "draft"})
    ]
    assert duplicate_keys(text)[0].message == (
        "'draft' is written more than once in the same object; only the last would be kept"
    )
    assert duplicate_keys(json.dumps(base())) == []
    assert duplicate_keys("{not json") == []


# -- workflow -------------------------------------------------------------------------------


def test_a_transition_to_an_unknown_state() -> None:
    pack = base()
    module(pack, "tally")["workflow"]["transitions"][1]["to"] = "aproved"
    problem = only(pack)
    assert (problem.path, problem.code) == ("/modules/1/workflow/transitions/1/to", "unknown_state")
    assert problem.message == (
        "transition 'approve' goes to 'aproved' is not a state of tally (did you mean "
        "'approved'?); states: approved, draft, rejected, submitted"
    )


def test_a_transition_from_an_unknown_state_and_an_unknown_initial() -> None:
    pack = base()
    workflow = module(pack, "tally")["workflow"]
    workflow["transitions"][0]["from"] = ["draft", "returned"]
    workflow["initial"] = "new"
    paths = {p.path: p.message for p in problems(pack)}
    assert set(paths) == {
        "/modules/1/workflow/transitions/0/from/1",
        "/modules/1/workflow/initial",
    }
    assert "'returned' is not a state of tally" in paths["/modules/1/workflow/transitions/0/from/1"]
    assert "initial state 'new' is not a state" in paths["/modules/1/workflow/initial"]


def test_leaving_a_final_state() -> None:
    pack = base()
    module(pack, "tally")["workflow"]["transitions"].append(
        {"id": "reopen", "from": "approved", "to": "draft"}
    )
    problem = only(pack)
    assert (problem.path, problem.code) == (
        "/modules/1/workflow/transitions/4/from",
        "transition_from_final",
    )
    assert problem.message == "'approved' is a final state: no transition may leave it"


def test_on_due_naming_an_unknown_transition() -> None:
    pack = base()
    module(pack, "tally")["workflow"]["states"]["submitted"]["on_due"] = "escalat"
    problem = only(pack)
    assert problem.path == "/modules/1/workflow/states/submitted/on_due"
    assert "'escalat' is not a transition of tally (did you mean 'escalate'?)" in problem.message


def test_on_due_that_cannot_fire_from_its_state_and_without_due() -> None:
    pack = base()
    states = module(pack, "tally")["workflow"]["states"]
    states["draft"]["on_due"] = "escalate"
    found = problems(pack)
    assert [p.path for p in found] == ["/modules/1/workflow/states/draft/on_due"] * 2
    assert "has on_due but no due time" in found[0].message
    assert "'escalate' cannot fire from 'draft'" in found[1].message


def test_roles_that_the_pack_does_not_declare() -> None:
    pack = base()
    tally = module(pack, "tally")
    transitions = tally["workflow"]["transitions"]
    transitions[0]["roles"] = ["formen", "admin"]
    transitions[1]["approval"]["approvers"] = {"role": "director"}
    transitions[1]["notify"] = {"role": "cashier"}
    tally["permissions"]["auditor"] = {"read": "all"}
    found = {p.path: p.message for p in problems(pack)}
    assert set(found) == {
        "/modules/1/workflow/transitions/0/roles/0",
        "/modules/1/workflow/transitions/1/approval/approvers/role",
        "/modules/1/workflow/transitions/1/notify/role",
        "/modules/1/permissions/auditor",
    }
    assert found["/modules/1/workflow/transitions/0/roles/0"] == (
        "transition 'submit' names role 'formen', which the pack does not declare (did you mean "
        "'foreman'?); declared roles: accountant, foreman, site_manager (admin is built in)"
    )


def test_approvers_and_notify_fields_must_be_user_fields() -> None:
    pack = base()
    transitions = module(pack, "tally")["workflow"]["transitions"]
    transitions[3]["approval"]["approvers"] = {"field": "worker"}
    transitions[3]["notify"] = {"field": "checkr"}
    found = problems(pack)
    assert [p.path for p in found] == [
        "/modules/1/workflow/transitions/3/approval/approvers/field",
        "/modules/1/workflow/transitions/3/notify/field",
    ]
    assert "must name a user field" in found[0].message
    assert "'worker' is a text field; user fields of tally: checker" in found[0].message
    assert "'checkr' is not a field of tally (did you mean 'checker'?)" in found[1].message


def test_a_quorum_share_above_all() -> None:
    pack = base()
    module(pack, "tally")["workflow"]["transitions"][3]["approval"]["quorum"] = "120%"
    problem = only(pack)
    assert (problem.path, problem.code) == (
        "/modules/1/workflow/transitions/3/approval/quorum",
        "quorum_out_of_range",
    )
    assert problem.message == "quorum '120%' must be a share from 1% to 100%"


def test_requires_an_unknown_field() -> None:
    pack = base()
    module(pack, "tally")["workflow"]["transitions"][0]["requires"] = ["workr"]
    assert only(pack).path == "/modules/1/workflow/transitions/0/requires/0"


# -- fields, links and rollups --------------------------------------------------------------


def test_a_link_to_an_unknown_module() -> None:
    pack = base()
    fields(pack, "tally")["crew"] = {"type": "string", "x-ref": "crews"}
    problem = only(pack)
    assert (problem.path, problem.code) == (
        "/modules/1/schema/properties/crew/x-ref",
        "unknown_link_module",
    )
    assert problem.message == (
        "'crew' links to module 'crews', which is neither in this pack nor installed"
    )


def test_a_link_to_a_module_of_an_installed_pack() -> None:
    pack = base()
    fields(pack, "tally")["crew"] = {"type": "string", "x-ref": "crew"}
    module(pack, "tally")["ui"]["show_if"]["reason"] = "crew.size > 3"
    crew = {
        "id": "crew",
        "title": "Crew",
        "schema": {"type": "object", "properties": {"size": {"type": "integer"}}},
    }
    assert problems(pack, {"crew": crew}) == []


def test_a_rollup_of_an_unknown_module() -> None:
    pack = base()
    fields(pack, "project")["spent"]["x-rollup"]["module"] = "talley"
    problem = only(pack)
    assert (problem.path, problem.code) == (
        "/modules/0/schema/properties/spent/x-rollup/module",
        "rollup_unknown_module",
    )
    assert problem.message == (
        "rollup 'spent' reads module 'talley', which is neither in this pack nor installed "
        "(did you mean 'tally'?)"
    )


def test_a_rollup_link_that_does_not_point_back() -> None:
    pack = base()
    fields(pack, "project")["spent"]["x-rollup"]["link"] = "worker"
    problem = only(pack)
    assert (problem.path, problem.code) == (
        "/modules/0/schema/properties/spent/x-rollup/link",
        "rollup_link_wrong",
    )
    assert problem.message == (
        "tally.worker is a text field; the rollup needs a link field of tally pointing at "
        "project (project)"
    )


def test_a_rollup_value_must_aggregate_and_its_where_must_not() -> None:
    pack = base()
    rollup = fields(pack, "project")["spent"]["x-rollup"]
    rollup["value"] = "amount"
    rollup["where"] = "count() > 1"
    found = problems(pack)
    assert [p.path for p in found] == [
        "/modules/0/schema/properties/spent/x-rollup/value",
        "/modules/0/schema/properties/spent/x-rollup/where",
    ]
    assert "'amount' must be an aggregate" in found[0].message
    assert "'count() > 1' must not aggregate (count)" in found[1].message


def test_a_formula_that_cannot_be_read() -> None:
    pack = base()
    fields(pack, "tally")["hours"]["x-formula"] = "sum(items.hours"
    problem = only(pack)
    assert problem.path == "/modules/1/schema/properties/hours/x-formula"
    assert problem.message.startswith("cannot read 'sum(items.hours': ")


def test_expressions_naming_unknown_fields() -> None:
    pack = base()
    tally = module(pack, "tally")
    tally["ui"]["show_if"]["reason"] = "hourz > 8"
    tally["ui"]["required_if"]["reason"] = "project.nme == ''"
    tally["workflow"]["transitions"][0]["when"] = "items.hourz > 0"
    fields(pack, "tally")["hours"]["x-formula"] = "sum(items.hours) + $status"
    fields(pack, "project")["spent"]["x-rollup"]["where"] = "state == 'approved'"
    pack["reports"][0]["group_by"] = ["workr"]
    pack["reports"][0]["chart"] = {"type": "bar", "x": "workr", "y": "hours"}
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/modules/1/ui/show_if/reason": "in 'hourz > 8': 'hourz' is not a field of tally "
        "(did you mean 'hours'?)",
        "/modules/1/ui/required_if/reason": "in \"project.nme == ''\": in 'project.nme': "
        "'nme' is not a field of project (did you mean 'name'?)",
        "/modules/1/workflow/transitions/0/when": "in 'items.hourz > 0': 'hourz' is not a "
        "column of items (did you mean 'hours'?)",
        "/modules/1/schema/properties/hours/x-formula": "cannot read 'sum(items.hours) + "
        "$status': unknown system value $status; the system values are $created_at, $id, "
        "$number, $owner, $state, $updated_at (at character 19)",
        "/modules/0/schema/properties/spent/x-rollup/where": "in \"state == 'approved'\": "
        "'state' is not a field of tally",
        "/reports/0/group_by/0": "in 'workr': 'workr' is not a field of tally (did you mean "
        "'worker'?)",
    }


def test_user_values_and_state_of_a_module_without_workflow() -> None:
    pack = base()
    tally = module(pack, "tally")
    tally["ui"]["show_if"]["reason"] = "'site_manager' in user.roles and user.id != ''"
    tally["ui"]["show_if"]["notes"] = "user.name == 'x'"
    fields(pack, "project")["left"]["x-formula"] = "budget if $state == 'open' else 0"
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/modules/1/ui/show_if/notes": "in \"user.name == 'x'\": 'user.name' is not known; "
        "the acting user has user.id and user.roles",
        "/modules/0/schema/properties/left/x-formula": "in \"budget if $state == 'open' else "
        '0": project has no workflow, so its records have no $state',
    }


def test_a_child_row_formula_sees_only_its_row() -> None:
    pack = base()
    columns = fields(pack, "tally")["items"]["items"]["properties"]
    columns["amount"]["x-formula"] = "hours * rate * worker"
    problem = only(pack)
    assert problem.path == "/modules/1/schema/properties/items/items/properties/amount/x-formula"
    assert (
        "'worker' is not a column of items; a formula in a child row can name only"
        in problem.message
    )


def test_report_measures_must_aggregate_and_groups_must_not() -> None:
    pack = base()
    report = pack["reports"][0]
    report["measures"]["hours"] = "hours"
    report["group_by"] = ["worker", "sum(hours)"]
    report["chart"] = {"type": "bar", "x": "worker", "y": "hours"}
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/reports/0/measures/hours": "'hours' must be an aggregate such as count(), sum(x), "
        "avg(x), min(x) or max(x)",
        "/reports/0/group_by/1": "'sum(hours)' must not aggregate (sum): it is computed per record",
    }


def test_a_report_of_an_unknown_module_and_a_chart_of_unknown_parts() -> None:
    pack = base()
    pack["reports"].append(
        {"id": "other", "title": "Other", "module": "talley", "measures": {"n": "count()"}}
    )
    pack["reports"][0]["chart"] = {"type": "line", "x": "date", "y": "hour", "series": "trade"}
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/reports/0/chart/x": "chart x 'date' must be one of the report's group_by: worker, "
        "month(date)",
        "/reports/0/chart/series": "chart series 'trade' must be one of the report's group_by: "
        "worker, month(date)",
        "/reports/0/chart/y": "chart y 'hour' must name a measure (did you mean 'hours'?): "
        "lines, hours",
        "/reports/1/module": "report 'other' reads module 'talley', which is neither in this "
        "pack nor installed (did you mean 'tally'?)",
    }


def test_a_cycle_of_formulas_is_reported_with_its_path() -> None:
    pack = base()
    props = fields(pack, "tally")
    props["a"] = {"type": "number", "x-formula": "b + 1"}
    props["b"] = {"type": "number", "x-formula": "c * 2"}
    props["c"] = {"type": "number", "x-formula": "a - hours"}
    props["d"] = {"type": "number", "x-formula": "d + 1"}
    assert [(p.path, p.message) for p in problems(pack)] == [
        (
            "/modules/1/schema/properties/a",
            "computed values depend on each other in a cycle: a → b → c → a",
        ),
        (
            "/modules/1/schema/properties/d",
            "computed values depend on each other in a cycle: d → d",
        ),
    ]


def test_a_cycle_through_a_link_and_a_rollup() -> None:
    pack = base()
    fields(pack, "tally")["share"] = {"type": "number", "x-formula": "project.left / 10"}
    fields(pack, "project")["spent"]["x-rollup"]["value"] = "sum(share)"
    problem = only(pack)
    assert problem.path == "/modules/0/schema/properties/spent"
    assert problem.message == (
        "computed values depend on each other in a cycle: spent → tally.share → left → spent"
    )


def test_clock_formulas_cannot_be_used_where_the_database_computes() -> None:
    pack = base()
    props = fields(pack, "tally")
    props["age"] = {"type": "integer", "x-formula": "days_between(date, today())"}
    props["late"] = {"type": "boolean", "x-formula": "age > 7"}
    tally = module(pack, "tally")
    tally["ui"]["list"]["filters"].append("late")
    tally["ui"]["list"]["sort"] = ["-age", "date"]
    tally["ui"]["list"]["totals"].append("age")
    tally["ui"]["list"]["columns"].append("age")  # shown: computed when read, that is fine
    pack["reports"][0]["where"] = "late"
    pack["reports"][0]["measures"]["since"] = "max(days_between(date, today()))"
    found = {p.path: p.message for p in problems(pack)}
    assert set(found) == {
        "/modules/1/ui/list/filters/4",
        "/modules/1/ui/list/sort/0",
        "/modules/1/ui/list/totals/2",
        "/reports/0/where",
        "/reports/0/measures/since",
    }
    assert found["/modules/1/ui/list/filters/4"] == (
        "filter 'late' reads late, which is computed when read (it uses today() or now()), so "
        "the database cannot filter, sort, total or group by it"
    )
    assert found["/reports/0/measures/since"] == (
        "report 'by_worker' measure 'since' uses today() or now(), which the database cannot "
        "compute; compare with a stored date instead"
    )


def test_field_keywords_that_do_not_fit_their_field() -> None:
    pack = base()
    props = fields(pack, "tally")
    props["worker"]["x-scale"] = 2
    props["trade"]["x-enum-titles"]["steel"] = "Steel"
    props["tags"]["x-enum-titles"]["day"] = "Day shift"
    props["reason"]["default"] = 5
    props["amount"]["x-formula"] = "sum(items.amount)"
    props["budget_line"] = {"type": "number", "x-scale": 2, "default": 1.005}
    props["from"] = {"type": "string"}
    props["vague"] = {"title": "No type"}
    module(pack, "tally")["schema"]["required"].append("amount")
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/modules/1/schema/properties/worker/x-scale": "x-scale applies to numbers; 'worker' "
        "is a string",
        "/modules/1/schema/properties/trade/x-enum-titles/steel": "'steel' has a title but is "
        "not one of the choices (rebar, concrete)",
        "/modules/1/schema/properties/tags/x-enum-titles/day": "'day' has a title but is not "
        "one of the choices (night, rework)",
        "/modules/1/schema/properties/reason/default": "default 5 is not a valid value: 5 is "
        "not of type 'string'",
        "/modules/1/schema/properties/budget_line/default": "default 1.005 is not a valid "
        "value: 1.005 has more than 2 decimal places",
        "/modules/1/schema/properties/from": "'from' is a reserved word of the expression "
        "language; choose another name",
        "/modules/1/schema/properties/vague": "'vague' needs a type: a field is stored in a "
        "typed column (string, integer, number, boolean or array, or an enum of choices)",
        "/modules/1/schema/required/3": "'amount' is a formula: it is computed, so it cannot "
        "be required",
    }


def test_kinds_that_clash() -> None:
    pack = base()
    props = fields(pack, "tally")
    props["photo"] = {"type": "string", "x-file": True, "x-user": True}
    props["count"] = {"type": "integer", "x-ref": "project", "x-accept": [".pdf"]}
    props["size"] = {
        "type": "string",
        "x-widget": "radio",
        "pattern": "(",
        "minLength": 5,
        "maxLength": 2,
    }
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/modules/1/schema/properties/photo": "'photo' cannot be x-user and x-file at once; "
        "choose one",
        "/modules/1/schema/properties/count/x-ref": 'x-ref needs "type": "string"; \'count\' '
        "is an integer",
        "/modules/1/schema/properties/count/x-accept": "x-accept applies to attachments "
        '("x-file": true) only',
        "/modules/1/schema/properties/size/x-widget": "widget 'radio' does not fit 'size', a "
        "text field; it fits choice fields",
        "/modules/1/schema/properties/size/pattern": "pattern '(' is not a valid regular "
        "expression: missing ), unterminated subpattern at position 0",
        "/modules/1/schema/properties/size/minLength": "minLength 5 is larger than maxLength 2",
    }


# -- ui and permissions ---------------------------------------------------------------------


def test_ui_naming_unknown_fields() -> None:
    pack = base()
    tally = module(pack, "tally")
    tally["title_field"] = "workr"
    ui = tally["ui"]
    ui["layout"][0]["fields"].append("dat")
    ui["widgets"]["note"] = "textarea"
    ui["show_if"]["reasn"] = "hours > 8"
    ui["list"]["columns"].append("stat")
    ui["list"]["sort"] = "-dte"
    ui["list"]["filters"].append("trad")
    ui["list"]["search"].append("note")
    ui["list"]["totals"].append("hrs")
    ui["views"][1]["date"] = "day"
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/modules/1/title_field": "title_field: 'workr' is not a field of tally (did you mean "
        "'worker'?)",
        "/modules/1/ui/layout/0/fields/4": "layout: 'dat' is not a field of tally (did you "
        "mean 'date'?)",
        "/modules/1/ui/widgets/note": "widgets: 'note' is not a field of tally (did you mean "
        "'notes'?)",
        "/modules/1/ui/show_if/reasn": "show_if: 'reasn' is not a field of tally (did you mean "
        "'reason'?)",
        "/modules/1/ui/list/columns/6": "list columns: 'stat' is not a field of tally",
        "/modules/1/ui/list/sort": "sort: 'dte' is not a field of tally (did you mean 'date'?)",
        "/modules/1/ui/list/filters/4": "filters: 'trad' is not a field of tally (did you mean "
        "'trade'?)",
        "/modules/1/ui/list/search/2": "search: 'note' is not a field of tally (did you mean "
        "'notes'?)",
        "/modules/1/ui/list/totals/2": "totals: 'hrs' is not a field of tally (did you mean "
        "'hours'?)",
        "/modules/1/ui/views/1/date": "calendar date: 'day' is not a field of tally",
    }


def test_ui_using_fields_for_what_they_cannot_do() -> None:
    pack = base()
    ui = module(pack, "tally")["ui"]
    ui["list"]["totals"].append("worker")
    ui["list"]["search"].append("date")
    ui["views"] = [
        {"type": "kanban", "by": "worker"},
        {"type": "calendar", "date": "worker"},
        {"type": "gantt", "start": "date", "end": "date", "progress": "trade"},
    ]
    ui["widgets"]["worker"] = "checkboxes"
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/modules/1/ui/list/totals/2": "totals add numbers; 'worker' is a text field",
        "/modules/1/ui/list/search/2": "search looks in text; 'date' is a date field",
        "/modules/1/ui/views/0/by": "a kanban groups by $state or a choice field; 'worker' is "
        "a text field",
        "/modules/1/ui/views/1/date": "calendar date must be a date field; 'worker' is a text "
        "field",
        "/modules/1/ui/views/2/progress": "gantt progress must be a number field; 'trade' is a "
        "choice field",
        "/modules/1/ui/widgets/worker": "widget 'checkboxes' does not fit 'worker', a text "
        "field; it fits multichoice fields",
    }


def test_state_in_a_module_without_workflow() -> None:
    pack = base()
    module(pack, "project")["ui"] = {"list": {"columns": ["name", "$state"]}}
    assert only(pack) == Problem(
        "/modules/0/ui/list/columns/1",
        "state_without_workflow",
        {"what": "list columns", "module": "project"},
    )
    assert only(pack).message == "list columns names $state, but project has no workflow"


def test_permissions_naming_unknown_fields_and_scopes_that_are_not_links() -> None:
    pack = base()
    permissions = module(pack, "tally")["permissions"]
    permissions["accountant"]["fields"]["rates"] = "hidden"
    permissions["site_manager"]["scope"] = ["project", "worker", "crew"]
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/modules/1/permissions/accountant/fields/rates": "permission fields: 'rates' is not a "
        "field of tally",
        "/modules/1/permissions/site_manager/scope/1": "scope limits rows by a link field; "
        "'worker' is a text field; link fields of tally: project",
        "/modules/1/permissions/site_manager/scope/2": "scope: 'crew' is not a field of tally",
    }


def test_a_print_template_that_cannot_be_read() -> None:
    pack = base()
    module(pack, "tally")["prints"][0]["template"] = "{% for row in data.items %}{{ row.work }}"
    problem = only(pack)
    assert problem.path == "/modules/1/prints/0/template"
    assert problem.message.startswith("the template cannot be read at line 1: ")


def test_an_id_ending_in_a_line_break() -> None:
    pack = base()
    module(pack, "tally")["workflow"]["transitions"][2]["id"] = "escalate\n"
    module(pack, "tally")["workflow"]["states"]["submitted"]["on_due"] = "escalate\n"
    found = problems(pack)
    assert (
        Problem("/modules/1/workflow/transitions/2/id", "id_line_break", {"value": "escalate\n"})
        in found
    )


# -- migrate and seed -----------------------------------------------------------------------


def test_migrate_to_unknown_states_with_invalid_defaults() -> None:
    pack = base()
    module(pack, "tally")["migrate"] = {
        "states": {"checked": "submited", "draft": "submitted", "old": "approved"},
        "defaults": {"trade": "steel", "hours": 1, "crew": "a"},
        "drop": ["worker", "legacy"],
    }
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/modules/1/migrate/states/checked": "records in 'checked' would move to 'submited' is "
        "not a state of tally (did you mean 'submitted'?); states: approved, draft, rejected, "
        "submitted",
        "/modules/1/migrate/states/draft": "'draft' is still a state of tally; migrate.states "
        "only moves records out of removed states",
        "/modules/1/migrate/defaults/trade": "'steel' is not a valid value of 'trade': 'steel' "
        "is not one of ['rebar', 'concrete']",
        "/modules/1/migrate/defaults/hours": "'hours' is computed; it needs no default",
        "/modules/1/migrate/defaults/crew": "migrate.defaults: 'crew' is not a field of tally",
        "/modules/1/migrate/drop/0": "drop lists 'worker', which is still a field of tally",
    }
    assert sorted(p.code for p in problems(pack)) == [
        "drop_still_a_field",
        "migrate_default_computed",
        "migrate_default_invalid",
        "migrate_default_unknown_field",
        "migrate_state_kept",
        "unknown_state",
    ]


def test_seed_records_that_do_not_fit() -> None:
    pack = base()
    pack["seed"]["crew"] = [{"name": "A"}]
    pack["seed"]["project"].append({"$key": "p1", "name": "Again", "budget": 1.234})
    tally = pack["seed"]["tally"][0]
    tally["$state"] = "done"
    tally["project"] = {"$seed": "p2"}
    tally["amount"] = 3
    tally["wrker"] = "x"
    pack["seed"]["tally"].append({"project": "some-id", "date": "2026-02-30", "worker": "Li"})
    pack["seed"]["tally"].append({"date": "2026-03-01"})
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/seed/crew": "seed names 'crew', which is not a module of this pack; modules: "
        "project, tally",
        "/seed/project/1/$key": "$key 'p1' is already used by a seed record of project; keys "
        "are unique across the whole seed",
        "/seed/project/1/budget": "1.234 is not a valid value of 'budget': 1.234 has more than "
        "2 decimal places",
        "/seed/tally/0/$state": "$state 'done' is not a state of tally; states: approved, "
        "draft, rejected, submitted",
        "/seed/tally/0/project/$seed": "no seed record of project has $key 'p2'; keys: p1",
        "/seed/tally/0/amount": "'amount' is computed; leave it out of seed records",
        "/seed/tally/0/wrker": "seed record: 'wrker' is not a field of tally (did you mean "
        "'worker'?)",
        "/seed/tally/1/project": 'a link in seed data is written {"$seed": "<key>"} naming '
        'a seed record of project, or {"$match": {"<field>": <value>}}, not \'some-id\'',
        "/seed/tally/1/date": "'2026-02-30' is not a valid value of 'date': '2026-02-30' is "
        "not a 'date'",
        "/seed/tally/2": "seed record of tally lacks the required field 'worker'",
    }
    codes = {p.path: p.code for p in problems(pack)}
    assert codes["/seed/crew"] == "seed_unknown_module"
    assert codes["/seed/tally/0/project/$seed"] == "seed_link_unknown_key"
    assert codes["/seed/tally/1/project"] == "seed_link_shape"
    assert codes["/seed/tally/2"] == "seed_required_missing"
    assert "invalid" not in codes.values()


# -- everything at once ---------------------------------------------------------------------


def test_a_pack_with_many_problems_gets_all_of_them_back() -> None:
    pack = base()
    tally = module(pack, "tally")
    tally["workflow"]["transitions"][1]["to"] = "done"  # unknown state
    tally["workflow"]["transitions"][0]["roles"] = ["boss"]  # undeclared role
    fields(pack, "tally")["project"]["x-ref"] = "projects"  # unknown module
    tally["ui"]["show_if"]["reason"] = "hourz > 8"  # unknown field in an expression
    tally["ui"]["list"]["totals"] = ["worker"]  # totals of text
    tally["permissions"]["site_manager"]["scope"] = ["date"]  # scope not a link
    fields(pack, "tally")["worker"]["x-scale"] = 1  # x-scale on text
    pack["reports"][0]["measures"]["hours"] = "hours"  # measure without aggregate
    pack["seed"]["crews"] = []  # seed of an unknown module
    found = {p.path for p in problems(pack)}
    assert {
        "/modules/1/workflow/transitions/1/to",
        "/modules/1/workflow/transitions/0/roles/0",
        "/modules/1/schema/properties/project/x-ref",
        "/modules/1/ui/show_if/reason",
        "/modules/1/ui/list/totals/0",
        "/modules/1/permissions/site_manager/scope/0",
        "/modules/1/schema/properties/worker/x-scale",
        "/reports/0/measures/hours",
        "/seed/crews",
    } <= found


@pytest.mark.parametrize(
    "pack_change",
    [
        lambda p: module(p, "tally").pop("workflow"),
        lambda p: module(p, "tally").pop("ui"),
        lambda p: p.pop("seed"),
        lambda p: p.pop("reports"),
        lambda p: p.pop("roles"),
    ],
    ids=["no workflow", "no ui", "no seed", "no reports", "no roles"],
)
def test_missing_parts_give_problems_not_crashes(pack_change: Any) -> None:
    pack = base()
    pack_change(pack)
    assert all(isinstance(p, Problem) and p.path.startswith("/") for p in problems(pack))


def test_type_clashes_known_in_advance() -> None:
    pack = base()
    tally = module(pack, "tally")
    tally["ui"]["show_if"]["reason"] = "worker > 8"
    fields(pack, "tally")["hours"]["x-formula"] = "sum(items.work)"
    tally["workflow"]["transitions"][0]["when"] = "date + 1 > 0"
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/modules/1/ui/show_if/reason": "in 'worker > 8': 'worker' is a text; cannot compare it "
        "with number 8",
        "/modules/1/schema/properties/hours/x-formula": "in 'sum(items.work)': 'items.work' "
        "holds texts; sum() needs numbers",
        "/modules/1/workflow/transitions/0/when": "in 'date + 1 > 0': 'date + 1' gives a date; "
        "cannot compare it with number 0",
    }


def test_a_formula_over_a_rollup_may_be_sorted_totalled_and_reported() -> None:
    pack = base()  # `left` = budget - spent, a rollup: the database computes it as well
    project = module(pack, "project")
    project["ui"] = {"list": {"columns": ["name", "left"], "totals": ["left"], "sort": "-left"}}
    pack["reports"].append(
        {
            "id": "headroom",
            "title": "Headroom",
            "module": "project",
            "measures": {"left": "sum(left)", "spent": "sum(spent)"},
        }
    )
    assert problems(pack) == []
    project["schema"]["properties"]["left"]["x-formula"] += " + days_between(today(), today())"
    assert [p.path for p in problems(pack)] == [
        "/modules/0/ui/list/sort",
        "/modules/0/ui/list/totals/0",
        "/reports/1/measures/left",
    ]  # over the clock: still computed when read only


def test_seed_links_name_earlier_records_of_the_linked_module() -> None:
    pack = base()
    first_tally = pack["seed"]["tally"][0]
    first_tally["$key"] = "t1"
    pack["seed"]["tally"].append(
        {"project": {"$seed": "t1"}, "date": "2026-03-03", "worker": "Zhang"}
    )
    pack["seed"] = {"tally": pack["seed"]["tally"], "project": pack["seed"]["project"]}
    found = {p.path: p.message for p in problems(pack)}
    assert found == {
        "/seed/tally/0/project/$seed": "$key 'p1' is created after this record; seed records "
        "are created in the order written, so put the project record first",
        "/seed/tally/1/project/$seed": "$key 't1' is a seed record of tally, but 'project' "
        "links to project",
    }


# -- robustness -----------------------------------------------------------------------------

NAMES = [
    "project",
    "tally",
    "worker",
    "hours",
    "items",
    "items.hours",
    "amount",
    "date",
    "trade",
    "draft",
    "approved",
    "submit",
    "escalate",
    "foreman",
    "admin",
    "checker",
    "$state",
    "$id",
    "user",
    "user.id",
    "nope",
    "a.b.c",
    "project.name",
    "project.spent",
    "left",
    "spent",
    "sum(",
    "count()",
    "sum(hours)",
    "today()",
    "hours > 8",
    "-date",
    "p1",
    "1",
    "x" * 70,
]


def _string_places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _string_places(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _string_places(v, (*path, i))]
    return [path] if isinstance(value, str) else []


PLACES = _string_places(BASE)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PLACES), st.sampled_from(NAMES)), min_size=1, max_size=4))
def test_checks_never_raise_on_a_pack_that_passes_the_meta_schema(
    changes: list[tuple[tuple[Any, ...], str]],
) -> None:
    pack = base()
    for place, name in changes:
        node: Any = pack
        for part in place[:-1]:
            node = node[part]
        node[place[-1]] = name
    if any(True for _ in META.iter_errors(pack)):
        return
    found = check_pack(pack)
    assert all(isinstance(p, Problem) and p.message for p in found)
