"""The pack meta-schema accepts what PACK_FORMAT.md shows and points at typical mistakes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "pack.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def format_example_pack() -> dict[str, Any]:
    """The examples of PACK_FORMAT.md, put together into one pack."""
    return {
        "format": "formwork.pack/1",
        "id": "construction",
        "version": "1.2.0",
        "title": {"en": "Construction management", "zh-CN": "工程管理"},
        "description": "optional localized text",
        "roles": [
            {"id": "site_manager", "title": {"en": "Site manager", "zh-CN": "项目经理"}},
            {"id": "foreman", "title": "Foreman"},
            {"id": "accountant", "title": "Accountant"},
            {"id": "viewer", "title": "Viewer"},
        ],
        "modules": [
            {
                "id": "labour_tally",
                "title": {"en": "Labour tally", "zh-CN": "点工汇总"},
                "numbering": "LT-{YYYY}{MM}-{seq:4}",
                "title_field": "worker",
                "schema": {
                    "type": "object",
                    "properties": {
                        "project": {"type": "string", "x-ref": "project", "title": "Project"},
                        "date": {"type": "string", "format": "date"},
                        "clock_in": {"type": "string", "format": "date-time"},
                        "worker": {"type": "string", "minLength": 1, "maxLength": 80},
                        "trade": {
                            "enum": ["rebar", "formwork", "concrete"],
                            "x-enum-titles": {"rebar": {"en": "Rebar", "zh-CN": "钢筋"}},
                        },
                        "shift": {"enum": ["day", "night"], "x-widget": "radio"},
                        "tags": {
                            "type": "array",
                            "items": {"enum": ["urgent", "rework"]},
                            "uniqueItems": True,
                        },
                        "days": {"type": "integer", "minimum": 0, "maximum": 31},
                        "hours": {"type": "number", "x-scale": 2, "exclusiveMinimum": 0},
                        "rate": {
                            "type": "number",
                            "x-scale": 2,
                            "x-format": "money",
                            "multipleOf": 0.01,
                        },
                        "amount": {"type": "number", "x-scale": 2, "x-formula": "hours * rate"},
                        "meal": {"type": "boolean", "default": False},
                        "supervisor": {"type": "string", "x-user": True},
                        "photo": {
                            "type": "string",
                            "x-file": True,
                            "x-accept": ["image/*", ".pdf"],
                            "x-max-bytes": 5000000,
                        },
                        "items": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 50,
                            "items": {
                                "type": "object",
                                "properties": {
                                    "work": {"type": "string"},
                                    "qty": {"type": "number", "x-scale": 2},
                                    "unit": {"enum": ["m", "m2", "m3"]},
                                },
                                "required": ["work"],
                            },
                        },
                        "overtime_reason": {"type": "string", "pattern": "^[^<>]*$"},
                        "notes": {"type": "string", "x-widget": "textarea", "readOnly": False},
                        "code": {"type": ["string", "null"], "description": "nullable text"},
                    },
                    "required": ["project", "date", "worker"],
                },
                "ui": {
                    "layout": [
                        {
                            "title": {"en": "Work", "zh-CN": "工作内容"},
                            "columns": 2,
                            "fields": ["project", "date", "worker", "trade"],
                        },
                        {"title": "Pay", "fields": ["hours", "rate", "amount", "overtime_reason"]},
                    ],
                    "widgets": {"notes": "textarea"},
                    "show_if": {"overtime_reason": "hours > 8"},
                    "required_if": {"overtime_reason": "hours > 8"},
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
                        {
                            "type": "gantt",
                            "start": "planned_start",
                            "end": "planned_finish",
                            "progress": "percent_complete",
                            "depends_on": "predecessors",
                        },
                    ],
                },
                "workflow": {
                    "initial": "draft",
                    "states": {
                        "draft": {"title": {"en": "Draft", "zh-CN": "草稿"}},
                        "submitted": {"title": "Submitted", "readonly": True},
                        "approved": {"title": "Approved", "readonly": True, "final": True},
                        "rejected": {"title": "Rejected"},
                    },
                    "transitions": [
                        {
                            "id": "submit",
                            "from": ["draft", "rejected"],
                            "to": "submitted",
                            "roles": ["foreman"],
                            "owner_only": True,
                            "requires": ["hours", "rate"],
                            "when": "hours > 0",
                        },
                        {
                            "id": "approve",
                            "from": "submitted",
                            "to": "approved",
                            "roles": ["site_manager"],
                            "approval": {"quorum": "all", "approvers": {"role": "site_manager"}},
                            "self_approval": False,
                        },
                        {
                            "id": "reject",
                            "from": "submitted",
                            "to": "rejected",
                            "roles": ["site_manager"],
                            "comment": "required",
                        },
                    ],
                },
                "permissions": {
                    "foreman": {"create": True, "read": "own", "update": "own", "delete": "own"},
                    "site_manager": {"read": "all", "update": False, "scope": ["project"]},
                    "accountant": {"read": "all", "export": True, "fields": {"rate": "read"}},
                    "viewer": {"read": "all", "fields": {"rate": "hidden", "amount": "hidden"}},
                },
                "prints": [
                    {
                        "id": "voucher",
                        "title": {"en": "Payment voucher", "zh-CN": "付款凭证"},
                        "paper": "A4",
                        "template": "<h1>{{ t('Payment voucher') }} {{ record.number }}</h1>"
                        " {% for row in data.items %} {{ row.work }} {% endfor %}"
                        " {{ approvals() }}",
                    }
                ],
            },
            {
                "id": "project",
                "title": "Project",
                "title_field": "name",
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "actual_cost": {
                            "type": "number",
                            "x-rollup": {
                                "module": "labour_tally",
                                "link": "project",
                                "value": "sum(amount)",
                                "where": "$state == 'approved'",
                            },
                        },
                    },
                },
            },
        ],
        "reports": [
            {
                "id": "labour_by_worker_month",
                "title": {"en": "Labour by worker and month", "zh-CN": "点工月度汇总"},
                "module": "labour_tally",
                "where": "$state == 'approved'",
                "group_by": ["worker", "month(date)"],
                "measures": {"days": "count()", "hours": "sum(hours)", "amount": "sum(amount)"},
                "chart": {"type": "bar", "x": "month(date)", "y": "amount", "series": "worker"},
            }
        ],
        "seed": {"project": [{"name": "Riverside Tower"}]},
    }


def pointers(validator: Draft202012Validator, pack: dict[str, Any]) -> set[str]:
    """The JSON Pointer of every error the meta-schema reports."""
    return {pointer(error.absolute_path) for error in validator.iter_errors(pack)}


def pointer(path: Iterable[Any]) -> str:
    return "".join(f"/{part}" for part in path)


def test_meta_schema_is_a_valid_2020_12_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://formwork.invalid/schemas/pack.schema.json"
    Draft202012Validator.check_schema(schema)


def test_the_format_examples_are_accepted(validator: Draft202012Validator) -> None:
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(format_example_pack())
    ]
    assert errors == []


def test_a_minimal_pack_is_accepted(validator: Draft202012Validator) -> None:
    pack = {
        "format": "formwork.pack/1",
        "id": "mini",
        "version": "0.1.0-beta.1+build.5",
        "title": "Mini",
        "modules": [
            {
                "id": "notes",
                "title": "Notes",
                "schema": {"type": "object", "properties": {"text": {"type": "string"}}},
            }
        ],
    }
    assert pointers(validator, pack) == set()


def test_the_extensions_are_accepted(validator: Draft202012Validator) -> None:
    pack = format_example_pack()
    module = pack["modules"][0]
    pack["roles"][0]["description"] = {"en": "Runs one site", "zh-CN": "负责一个工地"}
    module["description"] = {"en": "Daily casual labour", "zh-CN": "每日点工"}
    module["migrate"] = {
        "states": {"checked": "submitted"},
        "defaults": {"trade": "rebar"},
        "drop": ["old"],
    }
    workflow = module["workflow"]
    workflow["states"]["submitted"].update({"due": "P2D", "on_due": "escalate", "color": "orange"})
    workflow["transitions"][0]["title"] = {"en": "Submit", "zh-CN": "提交"}
    workflow["transitions"][0]["notify"] = {"role": "accountant"}
    workflow["transitions"][1]["notify"] = {"field": "supervisor"}
    workflow["transitions"][1]["approval"] = {"quorum": "60%", "approvers": {"field": "supervisor"}}
    workflow["transitions"].append(
        {"id": "withdraw", "from": "submitted", "to": "draft", "withdraw": True, "owner_only": True}
    )
    workflow["transitions"].append(
        {
            "id": "escalate",
            "from": "submitted",
            "to": "rejected",
            "approval": {"approvers": {"role": "site_manager"}, "quorum": 2},
        }
    )
    pack["seed"] = {
        "project": [{"$key": "p1", "name": "Riverside Tower"}],
        "labour_tally": [{"$state": "approved", "project": {"$seed": "p1"}, "worker": "Li"}],
    }
    assert pointers(validator, pack) == set()


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that puts `value` at the slash-separated `path` of a pack."""

    def change(pack: dict[str, Any]) -> None:
        *parents, last = path.strip("/").split("/")
        node: Any = pack
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


MISTAKES = [
    ("wrong format", _set("format", "formwork.pack/2"), "/format"),
    ("pack id with capitals", _set("id", "Construction"), "/id"),
    ("pack id too short", _set("id", "c"), "/id"),
    ("version not semantic", _set("version", "1.2"), "/version"),
    ("module id with a dash", _set("modules/0/id", "labour-tally"), "/modules/0/id"),
    ("module id with capitals", _set("modules/0/id", "LabourTally"), "/modules/0/id"),
    (
        "transition to a number",
        _set("modules/0/workflow/transitions/1/to", 3),
        "/modules/0/workflow/transitions/1/to",
    ),
    (
        "transition to a bad id",
        _set("modules/0/workflow/transitions/1/to", "Approved!"),
        "/modules/0/workflow/transitions/1/to",
    ),
    (
        "empty from list",
        _set("modules/0/workflow/transitions/0/from", []),
        "/modules/0/workflow/transitions/0/from",
    ),
    (
        "unknown comment",
        _set("modules/0/workflow/transitions/2/comment", "maybe"),
        "/modules/0/workflow/transitions/2/comment",
    ),
    (
        "quorum word",
        _set("modules/0/workflow/transitions/1/approval/quorum", "most"),
        "/modules/0/workflow/transitions/1/approval/quorum",
    ),
    (
        "quorum zero",
        _set("modules/0/workflow/transitions/1/approval/quorum", 0),
        "/modules/0/workflow/transitions/1/approval/quorum",
    ),
    (
        "quorum share without %",
        _set("modules/0/workflow/transitions/1/approval/quorum", "60"),
        "/modules/0/workflow/transitions/1/approval/quorum",
    ),
    (
        "approvers role and field",
        _set("modules/0/workflow/transitions/1/approval/approvers", {"role": "a", "field": "b"}),
        "/modules/0/workflow/transitions/1/approval/approvers",
    ),
    (
        "unknown transition key",
        _set("modules/0/workflow/transitions/0/guard", "hours > 0"),
        "/modules/0/workflow/transitions/0",
    ),
    (
        "due not a duration",
        _set("modules/0/workflow/states/submitted/due", "2 days"),
        "/modules/0/workflow/states/submitted/due",
    ),
    (
        "color outside the palette",
        _set("modules/0/workflow/states/submitted/color", "#ff0000"),
        "/modules/0/workflow/states/submitted/color",
    ),
    (
        "read true",
        _set("modules/0/permissions/site_manager/read", True),
        "/modules/0/permissions/site_manager/read",
    ),
    (
        "create own",
        _set("modules/0/permissions/foreman/create", "own"),
        "/modules/0/permissions/foreman/create",
    ),
    (
        "field rule write",
        _set("modules/0/permissions/viewer/fields/rate", "write"),
        "/modules/0/permissions/viewer/fields/rate",
    ),
    (
        "scope a string",
        _set("modules/0/permissions/site_manager/scope", "project"),
        "/modules/0/permissions/site_manager/scope",
    ),
    (
        "unknown permission",
        _set("modules/0/permissions/viewer/approve", True),
        "/modules/0/permissions/viewer",
    ),
    (
        "kanban without by",
        _set("modules/0/ui/views/0", {"type": "kanban"}),
        "/modules/0/ui/views/0",
    ),
    (
        "calendar with a gantt key",
        _set("modules/0/ui/views/1", {"type": "calendar", "date": "date", "progress": "date"}),
        "/modules/0/ui/views/1",
    ),
    ("unknown chart type", _set("reports/0/chart/type", "donut"), "/reports/0/chart/type"),
    (
        "x-scale too large",
        _set("modules/0/schema/properties/hours/x-scale", 9),
        "/modules/0/schema/properties/hours/x-scale",
    ),
    (
        "x-format not money",
        _set("modules/0/schema/properties/rate/x-format", "currency"),
        "/modules/0/schema/properties/rate/x-format",
    ),
    (
        "misspelt field keyword",
        _set("modules/0/schema/properties/worker/maxlength", 10),
        "/modules/0/schema/properties/worker",
    ),
    (
        "rollup without value",  # neither link nor match: rollup_link_or_match at import
        _set(
            "modules/1/schema/properties/actual_cost/x-rollup",
            {"module": "labour_tally", "link": "project"},
        ),
        "/modules/1/schema/properties/actual_cost/x-rollup",
    ),
    ("empty localized title", _set("modules/0/title", {}), "/modules/0/title"),
    ("unknown module key", _set("modules/0/titel", "x"), "/modules/0"),
    ("unknown pack key", _set("author", "me"), ""),
    (
        "numbering without a sequence",
        _set("modules/0/numbering", "LT-{YYYY}"),
        "/modules/0/numbering",
    ),
    (
        "numbering with an unknown token",
        _set("modules/0/numbering", "LT-{YEAR}-{seq:4}"),
        "/modules/0/numbering",
    ),
    (
        "layout section without fields",
        _set("modules/0/ui/layout/1", {"title": "Pay"}),
        "/modules/0/ui/layout/1",
    ),
    (
        "list sort by an expression",
        _set("modules/0/ui/list/sort", "date desc"),
        "/modules/0/ui/list/sort",
    ),
    ("report without measures", _set("reports/0/measures", {}), "/reports/0/measures"),
    ("seed record not an object", _set("seed/project/0", "Riverside"), "/seed/project/0"),
    ("role without id", _set("roles/1", {"title": "Foreman"}), "/roles/1"),
]


@pytest.mark.parametrize(
    ("change", "where"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_typical_mistakes_are_refused_at_their_place(
    validator: Draft202012Validator, change: Callable[[dict[str, Any]], None], where: str
) -> None:
    pack = copy.deepcopy(format_example_pack())
    change(pack)
    assert pointers(validator, pack) == {where}


def test_child_tables_are_one_level_deep(validator: Draft202012Validator) -> None:
    pack = format_example_pack()
    columns = pack["modules"][0]["schema"]["properties"]["items"]["items"]["properties"]
    columns["sub"] = {
        "type": "array",
        "items": {"type": "object", "properties": {"x": {"type": "string"}}},
    }
    found = pointers(validator, pack)
    assert found
    place = "/modules/0/schema/properties/items/items/properties/sub/items"
    assert all(p.startswith(place) for p in found), found


def test_a_multi_choice_column_is_allowed_in_a_child_table(validator: Draft202012Validator) -> None:
    pack = format_example_pack()
    columns = pack["modules"][0]["schema"]["properties"]["items"]["items"]["properties"]
    columns["marks"] = {"type": "array", "items": {"enum": ["a", "b"]}, "uniqueItems": True}
    assert pointers(validator, pack) == set()


def test_view_errors_name_the_view_field(validator: Draft202012Validator) -> None:
    pack = format_example_pack()
    pack["modules"][0]["ui"]["views"][0] = {"type": "timeline", "by": "$state"}
    pack["modules"][0]["ui"]["views"][1] = {"type": "calendar", "date": 3}
    assert pointers(validator, pack) == {
        "/modules/0/ui/views/0/type",
        "/modules/0/ui/views/1/date",
    }


def test_field_names_must_be_lower_snake_case(validator: Draft202012Validator) -> None:
    pack = format_example_pack()
    properties = pack["modules"][0]["schema"]["properties"]
    properties["Hours"] = properties.pop("hours")
    errors = list(validator.iter_errors(pack))
    assert [pointer(e.absolute_path) for e in errors] == ["/modules/0/schema/properties"]
    assert "'Hours' does not match" in errors[0].message
