"""The benchmark's own module pack and its workload: labour tallies, made up but realistic.

The pack copies the shape of the bundled labour tally (a project link, date, worker, trade
choice, a child table of tasks with an `hours * rate` formula, record formulas summing the
rows, list filters, sort and totals, a trade × month report) and adds a second link column
(the crew), so the statement count of a list page is measured with more than one link. It is
kept here, not read from modules/, so the figures stay comparable when the bundled packs
change.

`labour_rows` draws the same records for every run (fixed seed). Each record is a plain dict
as the API would hand it to the engine: dates as ISO text, numbers as exact decimals, and the
links as indexes into the project and crew lists, which each side turns into its own ids.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

PACK_ID = "bench_site"
REPORT_ID = "bench_labour_by_trade_month"
TRADES = ("rebar", "formwork", "concrete", "scaffold", "electrical")
TAGS = ("night", "rain", "urgent")
TASKS = ("tie bars", "set forms", "pour", "strip forms", "cure", "clean up", "hoist", "wire")
RATES = tuple(Decimal(r) for r in ("38.50", "40.00", "42.75", "45.00", "50.00", "55.25", "60.00"))
FIRST_DAY = dt.date(2025, 1, 1)
DAYS = 730  # two years of tallies: 24 months in the grouped sum
PROJECTS = 20
CREWS = 40
WORKERS = 300
SEED = 20_261

LABOUR_PACK: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": PACK_ID,
    "version": "1.0.0",
    "title": {"en": "Site (benchmark)", "zh-CN": "工地（基准测试）"},
    "roles": [
        {"id": "foreman", "title": {"en": "Foreman", "zh-CN": "班组长"}},
        {"id": "site_manager", "title": {"en": "Site manager", "zh-CN": "项目经理"}},
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
                    "code": {"type": "string", "maxLength": 20},
                    "name": {"type": "string", "maxLength": 200},
                    "budget": {"type": "number", "x-scale": 2, "x-format": "money", "minimum": 0},
                },
            },
            "ui": {"list": {"columns": ["code", "name", "budget"], "sort": "code"}},
            "permissions": {"foreman": {"read": "all"}, "site_manager": {"read": "all"}},
        },
        {
            "id": "crew",
            "title": {"en": "Crew", "zh-CN": "班组"},
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 100},
                    "leader": {"type": "string", "maxLength": 50},
                },
            },
            "ui": {"list": {"columns": ["name", "leader"], "sort": "name"}},
            "permissions": {"foreman": {"read": "all"}, "site_manager": {"read": "all"}},
        },
        {
            "id": "labour",
            "title": {"en": "Labour tally", "zh-CN": "点工汇总"},
            "numbering": "LT-{YYYY}{MM}-{seq:6}",
            "title_field": "worker",
            "schema": {
                "type": "object",
                "required": ["project", "date", "worker"],
                "properties": {
                    "project": {"type": "string", "x-ref": "project"},
                    "crew": {"type": "string", "x-ref": "crew"},
                    "date": {"type": "string", "format": "date"},
                    "worker": {"type": "string", "minLength": 1, "maxLength": 50},
                    "trade": {
                        "enum": list(TRADES),
                        "x-enum-titles": {"rebar": {"en": "Rebar", "zh-CN": "钢筋"}},
                    },
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["task", "hours", "rate"],
                            "properties": {
                                "task": {"type": "string", "maxLength": 100},
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
                                    "x-format": "money",
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
                    "overtime_reason": {"type": "string", "maxLength": 200},
                    "tags": {
                        "type": "array",
                        "items": {"enum": list(TAGS)},
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
                        "crew",
                        "date",
                        "worker",
                        "trade",
                        "hours",
                        "amount",
                        "$state",
                    ],
                    "sort": "-date",
                    "filters": ["project", "crew", "date", "trade", "$state"],
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
            },
        },
    ],
    "reports": [
        {
            "id": REPORT_ID,
            "title": {"en": "Labour by trade and month", "zh-CN": "按工种和月份汇总"},
            "module": "labour",
            "group_by": ["trade", "month(date)"],
            "measures": {"lines": "count()", "hours": "sum(hours)", "amount": "sum(amount)"},
        }
    ],
}


def project_rows() -> list[dict[str, Any]]:
    """The projects every tally links to."""
    return [
        {"code": f"P{n:03d}", "name": f"Project {n:03d}", "budget": Decimal(1_000_000 + n * 5_000)}
        for n in range(1, PROJECTS + 1)
    ]


def crew_rows() -> list[dict[str, Any]]:
    """The crews every tally links to."""
    return [{"name": f"Crew {n:02d}", "leader": f"Leader {n:02d}"} for n in range(1, CREWS + 1)]


def labour_rows(count: int) -> Iterator[dict[str, Any]]:
    """`count` labour tallies, the same ones on every run; `project`/`crew` are list indexes."""
    rng = random.Random(SEED)
    half = Decimal("0.5")
    for _ in range(count):
        items = [
            {
                "task": rng.choice(TASKS),
                "hours": half * rng.randint(1, 12),
                "rate": rng.choice(RATES),
            }
            for _ in range(rng.randint(1, 3))
        ]
        hours = sum((item["hours"] for item in items), Decimal(0))
        yield {
            "project": rng.randrange(PROJECTS),
            "crew": rng.randrange(CREWS),
            "date": (FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))).isoformat(),
            "worker": f"Worker {rng.randrange(WORKERS):03d}",
            "trade": rng.choice(TRADES),
            "items": items,
            "overtime_reason": "finished the pour" if hours > 8 else None,
            "tags": sorted(rng.sample(TAGS, rng.randint(0, 2))),
            "checked": rng.random() < 0.5,
            "notes": "north side, level 3" if rng.random() < 0.2 else None,
        }
