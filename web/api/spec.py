"""The OpenAPI 3.1 document of the API, generated from the installed modules for one caller.

Each module the caller may read gets its schemas — the record, its data with every visible
field's real type, format and enum, the create and change bodies with required fields and
the pack's constraints, formula and rollup fields `readOnly` — and its operations: the list
with the filter and sort parameters of its list view, create, read, change, delete,
history, batch, and one operation per workflow transition. Operations the caller may not
use (create without the right, packs and webhooks for a non-administrator) are left out.

Without credentials the document describes every installed module as an administrator
would see it and says so in `info.x-formwork-audience`: a description, not data.
"""

from __future__ import annotations

from typing import Any

from engine import permissions
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Module
from engine.fields import KINDS
from engine.i18n import localize
from engine.records.query import MAX_FILTERS, MAX_PER_PAGE, MAX_SEARCH, ORDERED_KINDS
from engine.workflow.transitions import MAX_COMMENT
from web.api.spec_fields import input_schema, nullable, output_schema
from web.api.spec_files import upload_paths
from web.api.spec_general import general_paths
from web.api.spec_links import add_links
from web.api.spec_parts import (
    READ_ERRORS,
    RECORD_ID,
    WRITE_ERRORS,
    path_param,
    query_param,
    ref,
    request_body,
    responses,
)

ADMIN = Actor(name=None, roles=frozenset({"admin"}))
NOBODY = Actor(name=None, roles=frozenset())
SYSTEM_SORT = ("$number", "$state", "$owner", "$created_at", "$updated_at")


class SpecBuilder:
    """Builds one document; `actor` None means an anonymous reader (see the module doc)."""

    def __init__(self, catalog: Catalog, actor: Actor | None, language: str = "en"):
        self.catalog = catalog
        self.actor = actor
        self.viewer = actor or NOBODY  # anonymous: the routes, none of the firm's modules
        self.language = language
        self.schemas: dict[str, Any] = {}
        self.paths: dict[str, Any] = {}

    def text(self, value: Any) -> str:
        return localize(value, self.language)

    # -- schemas ------------------------------------------------------------------------

    def common_schemas(self) -> None:
        problem = {
            "type": "object",
            "required": ["path", "message"],
            "properties": {
                "path": {"type": "string", "description": "JSON Pointer, or '' for the request"},
                "message": {"type": "string"},
                "index": {"type": "integer", "description": "the batch item (batch only)"},
            },
        }
        self.schemas["Errors"] = {
            "type": "object",
            "required": ["errors"],
            "properties": {"errors": {"type": "array", "items": problem}},
        }
        self.schemas["Record"] = self.record_schema(None, {"type": "object"})
        self.schemas["Progress"] = {
            "type": ["object", "null"],
            "properties": {
                "eligible": {"type": "array", "items": {"type": "string"}},
                "voted": {"type": "array", "items": {"type": "string"}},
                "needed": {"type": "integer"},
                "waiting_for": {"type": "array", "items": {"type": "string"}},
                "reached": {"type": "boolean"},
            },
        }
        self.schemas["History"] = {
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
        self.schemas["TransitionOptions"] = {
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

    def record_schema(self, module: Module | None, data: dict[str, Any]) -> dict[str, Any]:
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

    def module_schemas(self, module: Module) -> None:
        access = permissions.field_access(self.viewer, module)
        visible = [f for f in module.fields if access[f.name] != "hidden"]
        writable = [
            f for f in visible if access[f.name] == "write" and not f.computed and not f.read_only
        ]
        data = {
            "type": "object",
            "title": self.text(module.title),
            "properties": {f.name: output_schema(f, self.language) for f in visible},
        }
        name = module.id
        self.schemas[f"{name}.Data"] = data
        self.schemas[f"{name}.Record"] = self.record_schema(module, ref(f"{name}.Data"))
        required = [f.name for f in writable if f.required and f.default is None]
        self.schemas[f"{name}.NewData"] = {
            "type": "object",
            "properties": {
                f.name: input_schema(f, self.language, required=f.name in required)
                for f in writable
            },
            "required": required,
            "additionalProperties": False,
        }
        self.schemas[f"{name}.Changes"] = {
            "type": "object",
            "properties": {f.name: input_schema(f, self.language) for f in writable},
            "additionalProperties": False,
        }
        totals = [n for n in module.ui.list.totals if module.field(n) and access.get(n) != "hidden"]
        self.schemas[f"{name}.Page"] = {
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

    # -- operations ---------------------------------------------------------------------

    def list_parameters(self, module: Module) -> list[dict[str, Any]]:
        access = permissions.field_access(self.viewer, module)
        sortable = [*SYSTEM_SORT]
        sortable += [
            f.name
            for f in module.fields
            if access[f.name] != "hidden" and (f.stored or f.rollup is not None)
        ]
        params = [
            query_param("q", {"type": "string", "maxLength": MAX_SEARCH}, "free-text search"),
            query_param(
                "sort",
                {"type": "string", "enum": [k for n in sortable for k in (n, f"-{n}")]},
                "a field to sort by, `-` first for descending; several joined by commas",
            ),
            query_param("page", {"type": "integer", "minimum": 1, "maximum": 10_000_000}),
            query_param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
        ]
        for name in module.ui.list.filters:
            params += self.filter_parameters(module, name, access)
        return params

    def filter_parameters(
        self, module: Module, name: str, access: dict[str, str]
    ) -> list[dict[str, Any]]:
        if name == "$state":
            states = list(module.workflow.states) if module.workflow else []
            value: dict[str, Any] = (
                {"type": "string", "enum": states} if states else {"type": "string"}
            )
            kind = "choice"
        elif name.startswith("$"):
            value, kind = {"type": "string"}, "text"
        else:
            field = module.field(name)
            if field is None or not field.stored or access.get(name) == "hidden":
                return []
            kind = field.kind
            value = output_schema(field, self.language)
            value = {k: v for k, v in value.items() if k in ("type", "enum", "format", "items")}
            if kind == "multichoice":
                value = value["items"]
            value = {**value, "type": value.get("type", "string")}
            if isinstance(value["type"], list):
                value["type"] = value["type"][0]
            if "enum" in value:
                value["enum"] = [v for v in value["enum"] if v is not None]
        params = [query_param(f"filter[{name}]", value, f"{name} equals")]
        if kind in ORDERED_KINDS and kind not in ("choice", "user", "link", "text"):
            for op, words in (("gte", "at least"), ("lte", "at most")):
                params.append(query_param(f"filter[{name}][{op}]", value, f"{name} {words}"))
        if kind in ("choice", "link", "user", "text"):
            params.append(
                query_param(
                    f"filter[{name}][in]", {"type": "string"}, f"{name} is one of (comma-separated)"
                )
            )
        if kind in ("text", "multichoice") or (kind in KINDS and KINDS[kind].searchable):
            params.append(
                query_param(
                    f"filter[{name}][contains]",
                    {"type": "string", "maxLength": MAX_SEARCH},
                    f"{name} contains",
                )
            )
        return params

    def module_paths(self, module: Module) -> None:
        name = module.id
        title = self.text(module.title)
        tag = [f"{title} ({name})"]
        may = self.abilities(module)
        base = f"/modules/{name}/records"
        record_id = path_param("id", f"the id of a {name} record", RECORD_ID)
        listing: dict[str, Any] = {
            "get": {
                "operationId": f"{name}.list",
                "summary": f"List {title}",
                "description": f"At most {MAX_FILTERS} filter clauses; filters take any visible stored field as `filter[field][op]` (ops eq ne lt lte gt gte in contains between).",
                "tags": tag,
                "parameters": self.list_parameters(module),
                "responses": responses(200, ref(f"{name}.Page"), READ_ERRORS),
            }
        }
        if may["create"]:
            listing["post"] = {
                "operationId": f"{name}.create",
                "summary": f"Create a {title} record",
                "tags": tag,
                "requestBody": request_body(
                    {
                        "type": "object",
                        "required": ["data"],
                        "properties": {"data": ref(f"{name}.NewData")},
                        "additionalProperties": False,
                    }
                ),
                "responses": responses(201, ref(f"{name}.Record"), WRITE_ERRORS),
            }
        self.paths[base] = listing
        one: dict[str, Any] = {
            "parameters": [record_id],
            "get": {
                "operationId": f"{name}.read",
                "summary": f"Read a {title} record",
                "tags": tag,
                "responses": responses(200, ref(f"{name}.Record"), (401, 404)),
            },
        }
        if may["update"]:
            one["patch"] = {
                "operationId": f"{name}.update",
                "summary": f"Change a {title} record",
                "tags": tag,
                "requestBody": request_body(
                    {
                        "type": "object",
                        "required": ["version"],
                        "properties": {
                            "version": {"type": "integer", "minimum": 1},
                            "data": ref(f"{name}.Changes"),
                        },
                        "additionalProperties": False,
                    }
                ),
                "responses": responses(200, ref(f"{name}.Record"), WRITE_ERRORS),
            }
        if may["delete"]:
            one["delete"] = {
                "operationId": f"{name}.delete",
                "summary": f"Delete a {title} record",
                "tags": tag,
                "parameters": [
                    query_param(
                        "version", {"type": "integer", "minimum": 1}, "delete only at this version"
                    )
                ],
                "responses": responses(204, None, (401, 403, 404, 409, 422)),
            }
        self.paths[f"{base}/{{id}}"] = one
        self.paths[f"{base}/{{id}}/history"] = {
            "get": {
                "operationId": f"{name}.history",
                "summary": f"History of a {title} record",
                "tags": tag,
                "parameters": [record_id],
                "responses": responses(200, ref("History"), (401, 404)),
            }
        }
        if may["create"] or may["update"]:
            self.batch_path(module, tag)
            self.paths.update(upload_paths(module, self.viewer, tag))
        if module.workflow is not None:
            self.transition_paths(module, tag, record_id)

    def batch_path(self, module: Module, tag: list[str]) -> None:
        name = module.id
        create = {
            "type": "object",
            "required": ["data"],
            "properties": {"data": ref(f"{name}.NewData")},
            "additionalProperties": False,
        }
        change = {
            "type": "object",
            "required": ["id", "version", "data"],
            "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": 64},
                "version": {"type": "integer", "minimum": 1},
                "data": ref(f"{name}.Changes"),
            },
            "additionalProperties": False,
        }
        self.paths[f"/modules/{name}/records:batch"] = {
            "post": {
                "operationId": f"{name}.batch",
                "summary": "Create or change up to 1,000 records, all or nothing",
                "tags": tag,
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "makes a retry safe: the same key and body replay the first answer",
                        "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
                    }
                ],
                "requestBody": request_body(
                    {
                        "type": "object",
                        "required": ["records"],
                        "properties": {
                            "records": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 1000,
                                "items": {"oneOf": [create, change]},
                            }
                        },
                        "additionalProperties": False,
                    }
                ),
                "responses": responses(
                    201,
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {"items": {"type": "array", "items": ref(f"{name}.Record")}},
                    },
                    WRITE_ERRORS,
                ),
            }
        }

    def transition_paths(self, module: Module, tag: list[str], record_id: dict[str, Any]) -> None:
        name = module.id
        self.paths[f"/modules/{name}/records/{{id}}/transitions"] = {
            "get": {
                "operationId": f"{name}.transitions",
                "summary": "The transitions of a record: available to the caller, or why not",
                "tags": tag,
                "parameters": [record_id],
                "responses": responses(200, ref("TransitionOptions"), (401, 404)),
            }
        }
        assert module.workflow is not None
        result = {
            "type": "object",
            "required": ["fired", "transition", "record"],
            "properties": {
                "fired": {
                    "type": "boolean",
                    "description": "false while an approval waits for votes",
                },
                "transition": {"type": "string"},
                "record": ref(f"{name}.Record"),
                "progress": ref("Progress"),
                "notified": {"type": "array", "items": {"type": "string"}},
            },
        }
        for transition in module.workflow.transitions:
            roles = set(transition.roles)
            if transition.approval is not None and transition.approval.approvers_role:
                roles.add(transition.approval.approvers_role)
            open_to_caller = self.viewer.is_admin or roles & self.viewer.roles
            if not open_to_caller and not (
                transition.approval and transition.approval.approvers_field
            ):
                continue
            comment: dict[str, Any] = {"type": ["string", "null"], "maxLength": MAX_COMMENT}
            if transition.comment == "required":
                comment = {"type": "string", "minLength": 1, "maxLength": MAX_COMMENT}
            body_properties: dict[str, Any] = {"version": {"type": "integer", "minimum": 1}}
            if transition.comment != "none":
                body_properties["comment"] = comment
            sources = ", ".join(transition.sources)
            self.paths[f"/modules/{name}/records/{{id}}/transitions/{transition.id}"] = {
                "post": {
                    "operationId": f"{name}.transition.{transition.id}",
                    "summary": f"{self.text(transition.title)}: {sources} → {transition.target}",
                    "description": (
                        f"Roles: {', '.join(transition.roles) or '-'}. Comment: {transition.comment}."
                        + (
                            " An approval: each call is one vote; it fires at the quorum."
                            if transition.approval
                            else ""
                        )
                    ),
                    "tags": tag,
                    "parameters": [record_id],
                    "x-formwork-transition": {
                        "from": list(transition.sources),
                        "to": transition.target,
                        "roles": list(transition.roles),
                        "approval": transition.approval is not None,
                    },
                    "requestBody": request_body(
                        {
                            "type": "object",
                            "properties": body_properties,
                            "required": ["comment"] if transition.comment == "required" else [],
                            "additionalProperties": False,
                        },
                        required=transition.comment == "required",
                    ),
                    "responses": responses(200, result, WRITE_ERRORS),
                }
            }

    def abilities(self, module: Module) -> dict[str, bool]:
        roles = permissions.role_permissions(self.viewer, module)
        return {
            "create": permissions.may_create(self.viewer, module),
            "update": self.viewer.is_admin or any(p.update for p in roles),
            "delete": self.viewer.is_admin or any(p.delete for p in roles),
        }

    # -- the document -------------------------------------------------------------------

    def build(self, server: str) -> dict[str, Any]:
        modules = sorted(
            (
                m
                for m in self.catalog.modules.values()
                if permissions.may_read_module(self.viewer, m)
            ),
            key=lambda m: m.id,
        )
        self.common_schemas()
        for module in modules:
            self.module_schemas(module)
            self.module_paths(module)
        general_paths(self, modules)
        add_links(self.paths)
        audience = (
            f"the modules user {self.actor.name!r} may read"
            if self.actor is not None
            else "every installed module (no credentials were sent); records need an API token"
        )
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "Formwork API",
                "version": "1",
                "description": (
                    "The REST API of Formwork, generated from the installed modules. "
                    "Send `Authorization: Bearer <token>`; tokens come from `formwork tokens "
                    "create` or the profile page. Decimal and money values are JSON numbers "
                    f"at their scale. This document describes {audience}."
                ),
                "x-formwork-audience": "user" if self.actor is not None else "anonymous",
            },
            "servers": [{"url": server}],
            "security": [{"bearer": []}],
            "tags": [{"name": f"{self.text(m.title)} ({m.id})"} for m in modules],
            "paths": self.paths,
            "components": {
                "schemas": self.schemas,
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "description": "an API token"}
                },
            },
        }


def build_spec(
    catalog: Catalog, actor: Actor | None, server: str, language: str = "en"
) -> dict[str, Any]:
    """The OpenAPI document for `actor` (None: anonymous) with `server` as the API's base URL."""
    return SpecBuilder(catalog, actor, language).build(server)
