"""Component schemas of the OpenAPI document: errors, records, history, and per module its data,
create and change bodies and list page (each field's schema from its kind, spec_fields.py)."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from engine.definitions.model import Module
from web.api.spec_context import SpecContext
from web.api.spec_fields import input_schema, nullable, output_schema
from web.api.spec_parts import ref

PROBLEM = {
    "type": "object",
    "required": ["path", "code", "message"],
    "properties": {
        "path": {"type": "string", "description": "JSON Pointer, or '' for the request"},
        "code": {
            "type": "string",
            "description": "a stable machine key: a JSON Schema keyword (minimum, maxLength, ...), "
            "the engine's reason (wrong_state, not_approver, stale_version, ...) or `request`",
        },
        "message": {"type": "string", "description": "in the caller's language (Accept-Language)"},
        "index": {"type": "integer", "description": "the batch item (batch only)"},
    },
}
PROGRESS = {
    "type": ["object", "null"],
    "properties": {
        "eligible": {"type": "array", "items": {"type": "string"}},
        "voted": {"type": "array", "items": {"type": "string"}},
        "needed": {"type": "integer"},
        "waiting_for": {"type": "array", "items": {"type": "string"}},
        "reached": {"type": "boolean"},
    },
}
HISTORY = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "actor": {"type": ["string", "null"]},
                    "action": {"type": "string"},
                    "transition": {"type": ["string", "null"]},
                    "from": {"type": ["string", "null"]},
                    "to": {"type": ["string", "null"]},
                    "comment": {"type": ["string", "null"]},
                    "changes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "old": {},
                                "new": {},
                            },
                        },
                    },
                    "module_version": {"type": ["string", "null"]},
                },
            },
        }
    },
}
TRANSITION_OPTIONS = {
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "target": {"type": "string"},
                    "available": {"type": "boolean"},
                    "reason": {"type": ["string", "null"]},
                    "comment": {"enum": ["none", "optional", "required"]},
                    "vote": {"type": "boolean"},
                    "progress": ref("Progress"),
                },
            },
        }
    },
}


def common_schemas(ctx: SpecContext) -> None:
    """The schemas every document has, whatever modules it describes."""
    ctx.schemas["Errors"] = {
        "type": "object",
        "required": ["errors"],
        "properties": {"errors": {"type": "array", "items": deepcopy(PROBLEM)}},
    }
    ctx.schemas["Record"] = record_schema(None, {"type": "object"})
    ctx.schemas["Progress"] = deepcopy(PROGRESS)
    ctx.schemas["History"] = deepcopy(HISTORY)
    ctx.schemas["TransitionOptions"] = deepcopy(TRANSITION_OPTIONS)


def record_schema(module: Module | None, data: dict[str, Any]) -> dict[str, Any]:
    states: dict[str, Any] = {"type": ["string", "null"]}
    if module is not None and module.workflow is not None:
        states = {"type": ["string", "null"], "enum": [*module.workflow.states, None]}
    return {
        "type": "object",
        "required": [
            "id",
            "module",
            "number",
            "state",
            "version",
            "owner",
            "created_at",
            "updated_at",
            "data",
        ],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "module": {"type": "string", **({"const": module.id} if module else {})},
            "number": {"type": ["string", "null"]},
            "state": states,
            "version": {"type": "integer", "minimum": 1},
            "owner": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "data": data,
            "titles": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
            "restricted": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Fields withheld from the caller (an aggregate over rows "
                "they may not all read); absent from data. Present only when not empty.",
            },
        },
    }


def module_schemas(ctx: SpecContext, module: Module) -> None:
    """A module's data as the reader sees it, its create and change bodies, its list page."""
    access = ctx.fields(module)
    visible = [f for f in module.fields if access[f.name] != "hidden"]
    writable = [
        f for f in visible if access[f.name] == "write" and not f.computed and not f.read_only
    ]
    data = {
        "type": "object",
        "title": ctx.text(module.title),
        "properties": {f.name: output_schema(f, ctx.language) for f in visible},
    }
    name = module.id
    ctx.schemas[f"{name}.Data"] = data
    ctx.schemas[f"{name}.Record"] = record_schema(module, ref(f"{name}.Data"))
    required = [f.name for f in writable if f.required and f.default is None]
    ctx.schemas[f"{name}.NewData"] = {
        "type": "object",
        "properties": {
            f.name: input_schema(f, ctx.language, required=f.name in required) for f in writable
        },
        "required": required,
        "additionalProperties": False,
    }
    ctx.schemas[f"{name}.Changes"] = {
        "type": "object",
        "properties": {f.name: input_schema(f, ctx.language) for f in writable},
        "additionalProperties": False,
    }
    totals = [n for n in module.ui.list.totals if module.field(n) and access.get(n) != "hidden"]
    ctx.schemas[f"{name}.Page"] = {
        "type": "object",
        "required": ["items", "total", "page", "per_page", "pages", "totals"],
        "properties": {
            "items": {"type": "array", "items": ref(f"{name}.Record")},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "totals": {
                "type": "object",
                "properties": {n: nullable({"type": "number"}) for n in totals},
            },
        },
    }


BATCH_LIMIT = 1000


def batch_body(module_id: str) -> dict[str, Any]:
    """A batch request: new records and changes of existing ones, up to BATCH_LIMIT."""
    create = {
        "type": "object",
        "required": ["data"],
        "properties": {"data": ref(f"{module_id}.NewData")},
        "additionalProperties": False,
    }
    change = {
        "type": "object",
        "required": ["id", "version", "data"],
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 64},
            "version": {"type": "integer", "minimum": 1},
            "data": ref(f"{module_id}.Changes"),
        },
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "required": ["records"],
        "properties": {
            "records": {
                "type": "array",
                "minItems": 1,
                "maxItems": BATCH_LIMIT,
                "items": {"oneOf": [create, change]},
            }
        },
        "additionalProperties": False,
    }


def transition_result(module_id: str) -> dict[str, Any]:
    """The answer of a transition: fired or waiting for votes, and the record."""
    return {
        "type": "object",
        "required": ["fired", "transition", "record"],
        "properties": {
            "fired": {"type": "boolean", "description": "false while an approval waits for votes"},
            "transition": {"type": "string"},
            "record": ref(f"{module_id}.Record"),
            "progress": ref("Progress"),
            "notified": {"type": "array", "items": {"type": "string"}},
        },
    }
