"""A small pack for links to one child row: site audits with numbered items (`x-row-key`)
and fixes that each point at one item of an audit (`x-row`), reading its severity."""

from __future__ import annotations

from typing import Any


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh}


AUDIT: dict[str, Any] = {
    "id": "audit",
    "title": _t("Audits", "检查"),
    "numbering": "AUD-{seq:4}",
    "title_field": "area",
    "schema": {
        "type": "object",
        "properties": {
            "area": {"type": "string", "title": _t("Area", "部位")},
            "date": {"type": "string", "format": "date", "title": _t("Date", "日期")},
            "items": {
                "type": "array",
                "title": _t("Items", "问题"),
                "x-row-key": "no",
                "x-row-title": "text",
                "items": {
                    "type": "object",
                    "properties": {
                        "no": {"type": "integer", "title": _t("No.", "序号")},
                        "text": {"type": "string", "title": _t("Finding", "问题")},
                        "severity": {
                            "type": "string",
                            "title": _t("Severity", "严重程度"),
                            "enum": ["minor", "major"],
                        },
                        "days": {"type": "integer", "title": _t("Days", "天数")},
                    },
                },
            },
        },
    },
    "permissions": {"auditor": {"create": True, "read": "all", "update": "all", "delete": "all"}},
}

FIX: dict[str, Any] = {
    "id": "fix",
    "title": _t("Fixes", "整改"),
    "numbering": "FIX-{seq:4}",
    "schema": {
        "type": "object",
        "required": ["item"],
        "properties": {
            "audit": {"type": "string", "x-ref": "audit", "title": _t("Audit", "检查")},
            "item": {
                "type": "integer",
                "title": _t("Item", "问题"),
                "x-row": {"link": "audit", "table": "items"},
            },
            "severity": {
                "type": "string",
                "title": _t("Severity", "严重程度"),
                "enum": ["minor", "major"],
                "x-formula": "item.severity",
            },
            "due": {
                "type": "string",
                "format": "date",
                "title": _t("Due", "期限"),
                "x-formula": "audit.date + item.days",
            },
        },
    },
    "workflow": {
        "initial": "open",
        "states": {
            "open": {"title": _t("Open", "待整改")},
            "moved": {"title": _t("Moved", "改派")},
        },
        "transitions": [
            {
                "id": "move",
                "title": _t("Move to item 9", "改为第 9 条"),
                "from": "open",
                "to": "moved",
                "roles": ["auditor"],
                "set": {"item": "9"},
            }
        ],
    },
    "permissions": {
        "auditor": {"create": True, "read": "all", "update": "all", "delete": "all"},
        "fixer": {"create": True, "read": "all", "update": "all"},
    },
}


def row_link_pack(**changes: Any) -> dict[str, Any]:
    """The pack; `changes` replace top-level keys (modules, ...)."""
    pack: dict[str, Any] = {
        "format": "formwork.pack/1",
        "id": "audits",
        "version": "1.0.0",
        "title": _t("Audits", "检查"),
        "roles": [
            {"id": "auditor", "title": _t("Auditor", "检查员")},
            {"id": "fixer", "title": _t("Fixer", "整改人")},
        ],
        "modules": [AUDIT, FIX],
    }
    pack.update(changes)
    return pack
