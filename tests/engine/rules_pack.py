"""The workflow pack with record rules: a transition that sets fields, a guard and a
validation with their own messages, and fields editable only in some states."""

from __future__ import annotations

from typing import Any

from tests.engine.sample_pack import module
from tests.engine.workflow_pack import workflow_pack

OVER_BUDGET = {
    "en": "The tally costs more than the project's budget.",
    "zh-CN": "点工金额超出项目预算。",
}
NO_HOURS = {"en": "Record some hours before submitting.", "zh-CN": "请先填写工时再提交。"}


def rules_pack(version: str = "1.0.0") -> dict[str, Any]:
    pack = workflow_pack(version=version)
    labour = module(pack, "labour")
    properties = labour["schema"]["properties"]
    properties["approved_amount"] = {
        "type": "number",
        "x-scale": 2,
        "x-format": "money",
        "readOnly": True,
        "maximum": 5000,
    }
    properties["checked_on"] = {"type": "string", "format": "date"}
    properties["open_amount"] = {
        "type": "number",
        "x-scale": 2,
        "x-formula": "amount - coalesce(approved_amount, 0)",
    }
    properties["notes"]["x-editable-in"] = ["draft", "rejected"]
    properties["checker"]["x-editable-in"] = ["submitted"]
    workflow = labour["workflow"]
    workflow["states"]["submitted"]["editable"] = ["checker"]
    submit = next(t for t in workflow["transitions"] if t["id"] == "submit")
    submit["message"] = NO_HOURS
    workflow["transitions"].append(
        {
            "id": "accept",
            "title": {"en": "Accept", "zh-CN": "验收"},
            "from": "submitted",
            "to": "checked",
            "roles": ["site_manager"],
            "set": {
                "approved_amount": "amount",
                "checked_on": "today()",
                "checked": "true",
            },
        }
    )
    labour["validations"] = [
        {
            "when": "project.budget == null or amount <= project.budget",
            "message": OVER_BUDGET,
            "fields": ["items"],
        },
        {"when": "worker != 'nobody'"},
    ]
    return pack
