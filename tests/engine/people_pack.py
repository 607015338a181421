"""A pack for multi-user fields and approvals that need several roles at once: a contract
whose `consulted` names several users and whose signing needs commercial and finance."""

from __future__ import annotations

import copy
from typing import Any

PEOPLE: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "people",
    "version": "1.0.0",
    "title": {"en": "People", "zh-CN": "人员"},
    "roles": [
        {"id": "clerk", "title": {"en": "Clerk", "zh-CN": "经办人"}},
        {"id": "commercial", "title": {"en": "Commercial", "zh-CN": "商务"}},
        {"id": "finance", "title": {"en": "Finance", "zh-CN": "财务"}},
    ],
    "modules": [
        {
            "id": "deal",
            "title": {"en": "Deal", "zh-CN": "合同"},
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "title": {"en": "Name", "zh-CN": "名称"}},
                    "consulted": {
                        "type": "array",
                        "title": {"en": "Consulted", "zh-CN": "咨询人"},
                        "items": {"type": "string", "x-user": True},
                        "uniqueItems": True,
                    },
                },
            },
            "ui": {
                "list": {
                    "columns": ["name", "consulted"],
                    "filters": ["consulted"],
                    "search": ["name", "consulted"],
                }
            },
            "workflow": {
                "initial": "draft",
                "states": {
                    "draft": {"title": {"en": "Draft", "zh-CN": "草稿"}},
                    "review": {"title": {"en": "Review", "zh-CN": "审核中"}},
                    "signed": {"title": {"en": "Signed", "zh-CN": "已签"}, "final": True},
                    "returned": {"title": {"en": "Returned", "zh-CN": "退回"}},
                },
                "transitions": [
                    {
                        "id": "submit",
                        "from": ["draft", "returned"],
                        "to": "review",
                        "roles": ["clerk"],
                    },
                    {
                        "id": "sign",
                        "from": "review",
                        "to": "signed",
                        "roles": ["commercial", "finance"],
                        "approval": {
                            "quorum": "all",
                            "approvers": [{"role": "commercial"}, {"role": "finance"}],
                        },
                    },
                    {
                        "id": "return",
                        "from": "review",
                        "to": "returned",
                        "roles": ["commercial", "finance"],
                    },
                    {
                        "id": "consult",
                        "from": "draft",
                        "to": "signed",
                        "roles": ["clerk"],
                        "approval": {"quorum": "any", "approvers": {"field": "consulted"}},
                    },
                ],
            },
            "permissions": {
                "clerk": {"read": "all", "create": True, "update": "all"},
                "commercial": {"read": "all"},
                "finance": {"read": "all"},
            },
        }
    ],
}


def people_pack() -> dict[str, Any]:
    return copy.deepcopy(PEOPLE)
