"""The sample pack with a full approval workflow, for the workflow tests."""

from __future__ import annotations

from typing import Any

from tests.engine.sample_pack import module, sample_pack


def workflow_pack(quorum: Any = "any", version: str = "1.0.0") -> dict[str, Any]:
    pack = sample_pack(version=version)
    pack["roles"].append({"id": "accountant", "title": "Accountant"})
    labour = module(pack, "labour")
    labour["schema"]["properties"]["checker"] = {"type": "string", "x-user": True}
    labour["workflow"] = {
        "initial": "draft",
        "states": {
            "draft": {"title": "Draft"},
            "submitted": {
                "title": "Submitted",
                "readonly": True,
                "due": "P2D",
                "on_due": "escalate",
            },
            "escalated": {"title": "Escalated", "readonly": True},
            "checked": {"title": "Checked", "readonly": True},
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
                "requires": ["items"],
                "when": "hours > 0",
                "comment": "none",
            },
            {
                "id": "withdraw",
                "from": "submitted",
                "to": "draft",
                "roles": ["foreman"],
                "withdraw": True,
            },
            {
                "id": "approve",
                "from": ["submitted", "escalated"],
                "to": "approved",
                "roles": ["site_manager"],
                "approval": {"quorum": quorum, "approvers": {"role": "site_manager"}},
                "self_approval": False,
                "notify": {"role": "accountant"},
            },
            {
                "id": "reject",
                "from": ["submitted", "escalated"],
                "to": "rejected",
                "roles": ["site_manager"],
                "comment": "required",
            },
            {"id": "escalate", "from": "submitted", "to": "escalated", "roles": ["site_manager"]},
            {
                "id": "check",
                "from": "draft",
                "to": "checked",
                "roles": ["foreman"],
                "approval": {"quorum": "all", "approvers": {"field": "checker"}},
            },
        ],
    }
    labour["permissions"]["site_manager"] = {"read": "all", "update": "all"}
    labour["permissions"]["accountant"] = {"read": "all"}
    return pack
