"""A small purchasing pack: a material catalogue, projects with a manager, purchase requests
approved by a manager, and purchase orders made from approved requests (create-from), with
computed defaults reading through links (the order's manager, a line's unit and price)."""

from __future__ import annotations

import copy
from typing import Any


def _lines(with_defaults: bool) -> dict[str, Any]:
    unit: dict[str, Any] = {"type": "string", "title": {"en": "Unit", "zh-CN": "单位"}}
    price: dict[str, Any] = {
        "type": "number",
        "x-scale": 2,
        "title": {"en": "Price", "zh-CN": "单价"},
    }
    if with_defaults:
        unit["x-default"] = "material.unit"
        price["x-default"] = "material.price"
    return {
        "type": "array",
        "title": {"en": "Lines", "zh-CN": "明细"},
        "items": {
            "type": "object",
            "required": ["material", "qty"],
            "properties": {
                "material": {
                    "type": "string",
                    "x-ref": "material",
                    "title": {"en": "Material", "zh-CN": "物资"},
                },
                "qty": {
                    "type": "number",
                    "x-scale": 2,
                    "title": {"en": "Quantity", "zh-CN": "数量"},
                },
                "unit": unit,
                "price": price,
                "amount": {"type": "number", "x-scale": 2, "x-formula": "qty * price"},
            },
        },
    }


PURCHASING: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "purchasing",
    "version": "1.0.0",
    "title": {"en": "Purchasing", "zh-CN": "采购"},
    "roles": [
        {"id": "buyer", "title": {"en": "Buyer", "zh-CN": "采购员"}},
        {"id": "requester", "title": {"en": "Requester", "zh-CN": "申请人"}},
    ],
    "modules": [
        {
            "id": "material",
            "title": {"en": "Material", "zh-CN": "物资"},
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "unit": {"type": "string"},
                    "price": {"type": "number", "x-scale": 2},
                },
            },
            "permissions": {
                "buyer": {"create": True, "read": "all", "update": "all"},
                "requester": {"read": "all"},
            },
        },
        {
            "id": "site",
            "title": {"en": "Site", "zh-CN": "工地"},
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "manager": {"type": "string", "x-user": True},
                },
            },
            "permissions": {"buyer": {"read": "all"}, "requester": {"read": "all"}},
        },
        {
            "id": "purchase_request",
            "title": {"en": "Purchase request", "zh-CN": "采购申请"},
            "title_field": "supplier",
            "schema": {
                "type": "object",
                "required": ["site"],
                "properties": {
                    "site": {
                        "type": "string",
                        "x-ref": "site",
                        "title": {"en": "Site", "zh-CN": "工地"},
                    },
                    "supplier": {"type": "string", "title": {"en": "Supplier", "zh-CN": "供应商"}},
                    "needed_by": {"type": "string", "format": "date", "x-default": "today() + 14"},
                    "lines": _lines(True),
                },
            },
            "workflow": {
                "initial": "draft",
                "states": {
                    "draft": {"title": "Draft"},
                    "approved": {"title": {"en": "Approved", "zh-CN": "已批准"}, "readonly": True},
                },
                "transitions": [
                    {
                        "id": "approve",
                        "from": "draft",
                        "to": "approved",
                        "roles": ["buyer", "requester"],
                    }
                ],
            },
            "permissions": {
                "buyer": {"create": True, "read": "all", "update": "all"},
                "requester": {"create": True, "read": "all", "update": "own"},
            },
        },
        {
            "id": "purchase_order",
            "title": {"en": "Purchase order", "zh-CN": "采购订单"},
            "title_field": "supplier",
            "schema": {
                "type": "object",
                "required": ["site"],
                "properties": {
                    "site": {
                        "type": "string",
                        "x-ref": "site",
                        "title": {"en": "Site", "zh-CN": "工地"},
                    },
                    "request": {
                        "type": "string",
                        "x-ref": "purchase_request",
                        "title": {"en": "Request", "zh-CN": "申请"},
                    },
                    "supplier": {"type": "string", "title": {"en": "Supplier", "zh-CN": "供应商"}},
                    "manager": {"type": "string", "x-user": True, "x-default": "site.manager"},
                    "lines": _lines(True),
                },
            },
            "create_from": [
                {
                    "module": "purchase_request",
                    "when": "$state == 'approved'",
                    "map": {"site": "site", "supplier": "supplier"},
                    "children": {
                        "lines": {"from": "lines", "map": {"material": "material", "qty": "qty"}}
                    },
                    "link": "request",
                    "title": {"en": "Order from this request", "zh-CN": "据此下单"},
                }
            ],
            "permissions": {
                "buyer": {"create": True, "read": "all", "update": "all"},
                "requester": {"read": "all"},
            },
        },
    ],
}


def purchasing_pack() -> dict[str, Any]:
    return copy.deepcopy(PURCHASING)


def module(pack: dict[str, Any], module_id: str) -> dict[str, Any]:
    return next(m for m in pack["modules"] if m["id"] == module_id)
