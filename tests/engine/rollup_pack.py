"""The sample pack with stored rollups in depth: a portfolio summing its projects' rollups,
and a project rollup whose `where` reads the project itself (`parent.week_start`)."""

from __future__ import annotations

from typing import Any

from tests.engine.sample_pack import module, sample_pack


def rollup_pack(parent_where: bool = True) -> dict[str, Any]:
    pack = sample_pack()
    project = module(pack, "project")
    fields = project["schema"]["properties"]
    fields["portfolio"] = {"type": "string", "x-ref": "portfolio"}
    fields["week_start"] = {"type": "string", "format": "date"}
    if parent_where:
        fields["week_hours"] = {
            "type": "number",
            "x-scale": 1,
            "x-rollup": {
                "module": "labour",
                "link": "project",
                "value": "sum(hours)",
                "where": "date >= parent.week_start",
            },
        }
    fields["biggest"] = {
        "type": "number",
        "x-scale": 2,
        "x-rollup": {"module": "labour", "link": "project", "value": "max(amount)"},
    }
    portfolio = {
        "id": "portfolio",
        "title": "Portfolio",
        "title_field": "name",
        "schema": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "actual": {
                    "type": "number",
                    "x-scale": 2,
                    "x-rollup": {"module": "project", "link": "portfolio", "value": "sum(actual)"},
                },
                "tallies": {
                    "type": "integer",
                    "x-rollup": {
                        "module": "project",
                        "link": "portfolio",
                        "value": "sum(tally_count)",
                    },
                },
            },
        },
        "ui": {"list": {"columns": ["name", "actual"], "sort": "-actual"}},
        "permissions": {"site_manager": {"read": "all"}},
    }
    pack["modules"].insert(0, portfolio)
    pack["reports"].append(
        {
            "id": "cost_by_portfolio",
            "title": "Cost by portfolio",
            "module": "project",
            "group_by": ["portfolio"],
            "measures": {"projects": "count()", "cost": "sum(actual)"},
        }
    )
    return pack
