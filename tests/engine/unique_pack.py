"""A pack with unique fields, a unique combination and a numbering from a linked value."""

from __future__ import annotations

import copy
from typing import Any

UNIQUE_PACK: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "stores",
    "version": "1.0.0",
    "title": "Stores",
    "roles": [{"id": "clerk", "title": "Clerk"}, {"id": "keeper", "title": "Keeper"}],
    "modules": [
        {
            "id": "site",
            "title": "Site",
            "numbering": "S-{seq:3}",
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "code": {"type": "string", "maxLength": 10, "unique": True},
                    "name": {"type": "string"},
                },
            },
            "permissions": {
                "clerk": {"read": "own", "create": True, "update": "own"},
                "keeper": {"read": "all", "create": True, "update": "all"},
            },
        },
        {
            "id": "material",
            "title": "Material",
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            },
            "permissions": {"keeper": {"read": "all", "create": True}},
        },
        {
            "id": "stock",
            "title": "Stock card",
            "numbering": "{site.code}-SC-{seq:4}",
            "unique": [["site", "material"]],
            "schema": {
                "type": "object",
                "required": ["site", "material"],
                "properties": {
                    "site": {"type": "string", "x-ref": "site"},
                    "material": {"type": "string", "x-ref": "material"},
                    "qty": {"type": "number", "x-scale": 2},
                },
            },
            "permissions": {"keeper": {"read": "all", "create": True, "update": "all"}},
        },
    ],
}


def unique_pack(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the pack, with top-level keys replaced."""
    pack = copy.deepcopy(UNIQUE_PACK)
    pack.update(changes)
    return pack
