"""A small two-module pack the engine tests build on: projects and labour tallies."""

from __future__ import annotations

import copy
from typing import Any

SAMPLE: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "site",
    "version": "1.0.0",
    "title": {"en": "Site", "zh-CN": "工地"},
    "roles": [
        {"id": "foreman", "title": {"en": "Foreman", "zh-CN": "班组长"}},
        {"id": "site_manager", "title": "Site manager"},
        {"id": "viewer", "title": "Viewer"},
    ],
    "modules": [
        {
            "id": "project",
            "title": {"en": "Project", "zh-CN": "项目"},
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["code", "name"],
                "properties": {
                    "code": {"type": "string", "title": "Code", "maxLength": 20},
                    "name": {"type": "string", "title": {"en": "Name", "zh-CN": "名称"}},
                    "budget": {"type": "number", "x-scale": 2, "x-format": "money", "minimum": 0},
                    "actual": {
                        "type": "number",
                        "x-scale": 2,
                        "x-rollup": {
                            "module": "labour",
                            "link": "project",
                            "value": "sum(amount)",
                            "where": "$state == 'approved'",
                        },
                    },
                    "tally_count": {
                        "type": "integer",
                        "x-rollup": {"module": "labour", "link": "project", "value": "count()"},
                    },
                },
            },
            "ui": {
                "list": {
                    "columns": ["code", "name", "budget", "actual"],
                    "sort": "code",
                    "search": ["code", "name"],
                }
            },
            "permissions": {
                "foreman": {"read": "all"},
                "site_manager": {"read": "all", "create": True, "update": "all"},
                "viewer": {"read": "all"},
            },
        },
        {
            "id": "labour",
            "title": {"en": "Labour tally", "zh-CN": "点工汇总"},
            "numbering": "LT-{YYYY}{MM}-{seq:4}",
            "title_field": "worker",
            "schema": {
                "type": "object",
                "required": ["project", "date", "worker"],
                "properties": {
                    "project": {"type": "string", "x-ref": "project", "title": "Project"},
                    "date": {"type": "string", "format": "date"},
                    "worker": {"type": "string", "minLength": 1, "maxLength": 50},
                    "trade": {
                        "enum": ["rebar", "formwork", "concrete"],
                        "x-enum-titles": {"rebar": {"en": "Rebar", "zh-CN": "钢筋"}},
                    },
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["task", "hours", "rate"],
                            "properties": {
                                "task": {"type": "string"},
                                "hours": {
                                    "type": "number",
                                    "x-scale": 1,
                                    "minimum": 0,
                                    "maximum": 24,
                                },
                                "rate": {"type": "number", "x-scale": 2, "x-format": "money"},
                                "amount": {
                                    "type": "number",
                                    "x-scale": 2,
                                    "x-formula": "hours * rate",
                                },
                            },
                        },
                    },
                    "hours": {"type": "number", "x-scale": 1, "x-formula": "sum(items.hours)"},
                    "amount": {
                        "type": "number",
                        "x-scale": 2,
                        "x-format": "money",
                        "x-formula": "sum(items.amount)",
                    },
                    "overtime_reason": {"type": "string"},
                    "tags": {
                        "type": "array",
                        "items": {"enum": ["night", "rain", "urgent"]},
                        "uniqueItems": True,
                    },
                    "checked": {"type": "boolean"},
                    "notes": {"type": "string", "x-widget": "textarea"},
                },
            },
            "ui": {
                "show_if": {"overtime_reason": "hours > 8"},
                "required_if": {"overtime_reason": "hours > 8"},
                "list": {
                    "columns": [
                        "$number",
                        "project",
                        "date",
                        "worker",
                        "hours",
                        "amount",
                        "$state",
                    ],
                    "sort": "-date",
                    "filters": ["project", "date", "trade", "$state"],
                    "search": ["worker", "notes"],
                    "totals": ["hours", "amount"],
                },
            },
            "workflow": {
                "initial": "draft",
                "states": {
                    "draft": {"title": "Draft"},
                    "submitted": {"title": "Submitted", "readonly": True},
                    "approved": {"title": "Approved", "readonly": True, "final": True},
                },
                "transitions": [
                    {"id": "submit", "from": "draft", "to": "submitted", "roles": ["foreman"]},
                    {
                        "id": "approve",
                        "from": "submitted",
                        "to": "approved",
                        "roles": ["site_manager"],
                    },
                ],
            },
            "permissions": {
                "foreman": {"create": True, "read": "own", "update": "own", "delete": "own"},
                "site_manager": {"read": "all", "scope": ["project"]},
                "viewer": {"read": "all", "fields": {"amount": "hidden"}},
            },
        },
    ],
    "reports": [
        {
            "id": "labour_by_trade",
            "title": "Labour by trade",
            "module": "labour",
            "group_by": ["trade"],
            "measures": {"lines": "count()", "hours": "sum(hours)"},
        }
    ],
}


def sample_pack(**changes: Any) -> dict[str, Any]:
    """A deep copy of the sample pack with top-level keys replaced."""
    pack = copy.deepcopy(SAMPLE)
    pack.update(changes)
    return pack


def module(pack: dict[str, Any], module_id: str) -> dict[str, Any]:
    return next(m for m in pack["modules"] if m["id"] == module_id)
