"""A purchase module whose lines each name a project: related to a project through a child
table's rows, not through a field of the record."""

from __future__ import annotations

from typing import Any


def purchase_module(**permissions: Any) -> dict[str, Any]:
    """Purchases with lines (item, project, amount) and their total, summed in the list."""
    return {
        "id": "purchase",
        "title": {"en": "Purchases", "zh-CN": "采购"},
        "numbering": "PO-{seq:4}",
        "title_field": "supplier",
        "schema": {
            "type": "object",
            "required": ["supplier"],
            "properties": {
                "supplier": {"type": "string", "title": "Supplier"},
                "lines": {
                    "type": "array",
                    "title": {"en": "Lines", "zh-CN": "明细"},
                    "items": {
                        "type": "object",
                        "required": ["item"],
                        "properties": {
                            "item": {"type": "string"},
                            "project": {"type": "string", "x-ref": "project"},
                            "amount": {"type": "number", "x-scale": 2, "x-format": "money"},
                        },
                    },
                },
                "total": {"type": "number", "x-scale": 2, "x-formula": "sum(lines.amount)"},
            },
        },
        "ui": {"list": {"columns": ["supplier", "total"], "totals": ["total"]}},
        "permissions": permissions,
    }


def purchase(supplier: str, *lines: tuple[str | None, str]) -> dict[str, Any]:
    """A purchase with one line per (project, amount)."""
    rows = [
        {"item": f"item {n}", "amount": amount, **({"project": p} if p else {})}
        for n, (p, amount) in enumerate(lines)
    ]
    return {"supplier": supplier, "lines": rows}
