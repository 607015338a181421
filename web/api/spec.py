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

ADMIN = Actor(name=None, roles=frozenset({"admin"}))
SYSTEM_SORT = ("$number", "$state", "$owner", "$created_at", "$updated_at")
ERRORS = {
    400: "The body is not valid JSON (the message says where parsing stopped)",
    401: "No API token, or an unknown or revoked one",
    403: "The caller may not do this",
    404: "Unknown, or outside the caller's scope",
    405: "The method is not allowed on this path",
    409: "A stale version, or the record is in another state",
    413: "The body is larger than the limit",
    415: "The body is not application/json",
    422: "Invalid data or parameters, or a failed guard; each problem names its path",
}
READ_ERRORS = (401, 404, 422)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses(ok: int, schema: dict[str, Any] | None, errors: tuple[int, ...]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if schema is None:
        responses[str(ok)] = {"description": "Done"}
    else:
        responses[str(ok)] = {"description": "Done", "content": _json(schema)}
    for code in errors:
        response: dict[str, Any] = {"description": ERRORS[code], "content": _json(ref("Errors"))}
        if code == 401:
            response["headers"] = {
                "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
            }
        responses[str(code)] = response
    return responses


def _body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": _json(schema)}


def _path_param(
    name: str, description: str, schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string", "minLength": 1, "maxLength": 64},
    }


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


class SpecBuilder:
    """Builds one document; `actor` None means an anonymous reader (see the module doc)."""

    def __init__(self, catalog: Catalog, actor: Actor | None, language: str = "en"):
        self.catalog = catalog
        self.actor = actor
        self.viewer = actor or ADMIN
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
            _query("q", {"type": "string", "maxLength": MAX_SEARCH}, "free-text search"),
            _query(
                "sort",
                {"type": "string", "enum": [k for n in sortable for k in (n, f"-{n}")]},
                "a field to sort by, `-` first for descending; several joined by commas",
            ),
            _query("page", {"type": "integer", "minimum": 1, "maximum": 10_000_000}),
            _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
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
        params = [_query(f"filter[{name}]", value, f"{name} equals")]
        if kind in ORDERED_KINDS and kind not in ("choice", "user", "link", "text"):
            for op, words in (("gte", "at least"), ("lte", "at most")):
                params.append(_query(f"filter[{name}][{op}]", value, f"{name} {words}"))
        if kind in ("choice", "link", "user", "text"):
            params.append(
                _query(
                    f"filter[{name}][in]", {"type": "string"}, f"{name} is one of (comma-separated)"
                )
            )
        if kind in ("text", "multichoice") or (kind in KINDS and KINDS[kind].searchable):
            params.append(
                _query(
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
        record_id = _path_param("id", f"the id of a {name} record")
        listing: dict[str, Any] = {
            "get": {
                "operationId": f"{name}.list",
                "summary": f"List {title}",
                "description": f"At most {MAX_FILTERS} filter clauses; filters take any visible stored field as `filter[field][op]` (ops eq ne lt lte gt gte in contains between).",
                "tags": tag,
                "parameters": self.list_parameters(module),
                "responses": _responses(200, ref(f"{name}.Page"), READ_ERRORS),
            }
        }
        if may["create"]:
            listing["post"] = {
                "operationId": f"{name}.create",
                "summary": f"Create a {title} record",
                "tags": tag,
                "requestBody": _body(
                    {
                        "type": "object",
                        "required": ["data"],
                        "properties": {"data": ref(f"{name}.NewData")},
                        "additionalProperties": False,
                    }
                ),
                "responses": _responses(201, ref(f"{name}.Record"), WRITE_ERRORS),
            }
        self.paths[base] = listing
        one: dict[str, Any] = {
            "parameters": [record_id],
            "get": {
                "operationId": f"{name}.read",
                "summary": f"Read a {title} record",
                "tags": tag,
                "responses": _responses(200, ref(f"{name}.Record"), (401, 404)),
            },
        }
        if may["update"]:
            one["patch"] = {
                "operationId": f"{name}.update",
                "summary": f"Change a {title} record",
                "tags": tag,
                "requestBody": _body(
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
                "responses": _responses(200, ref(f"{name}.Record"), WRITE_ERRORS),
            }
        if may["delete"]:
            one["delete"] = {
                "operationId": f"{name}.delete",
                "summary": f"Delete a {title} record",
                "tags": tag,
                "parameters": [
                    _query(
                        "version", {"type": "integer", "minimum": 1}, "delete only at this version"
                    )
                ],
                "responses": _responses(204, None, (401, 403, 404, 409, 422)),
            }
        self.paths[f"{base}/{{id}}"] = one
        self.paths[f"{base}/{{id}}/history"] = {
            "get": {
                "operationId": f"{name}.history",
                "summary": f"History of a {title} record",
                "tags": tag,
                "parameters": [record_id],
                "responses": _responses(200, ref("History"), (401, 404)),
            }
        }
        if may["create"] or may["update"]:
            self.batch_path(module, tag)
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
                "requestBody": _body(
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
                "responses": _responses(
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
                "responses": _responses(200, ref("TransitionOptions"), (401, 404)),
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
                    "requestBody": _body(
                        {
                            "type": "object",
                            "properties": body_properties,
                            "required": ["comment"] if transition.comment == "required" else [],
                            "additionalProperties": False,
                        },
                        required=transition.comment == "required",
                    ),
                    "responses": _responses(200, result, WRITE_ERRORS),
                }
            }

    def abilities(self, module: Module) -> dict[str, bool]:
        roles = permissions.role_permissions(self.viewer, module)
        return {
            "create": permissions.may_create(self.viewer, module),
            "update": self.viewer.is_admin or any(p.update for p in roles),
            "delete": self.viewer.is_admin or any(p.delete for p in roles),
        }

    def general_paths(self, modules: list[Module]) -> None:
        module_ids = [m.id for m in modules]
        summary = {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "pack": {"type": "string"},
                "version": {"type": "string"},
                "may": {"type": "object", "additionalProperties": {"type": "boolean"}},
            },
        }
        items = lambda schema: {  # noqa: E731
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": schema}},
        }
        self.paths["/modules"] = {
            "get": {
                "operationId": "modules.list",
                "summary": "The modules the caller may read",
                "tags": ["General"],
                "responses": _responses(200, items(summary), (401,)),
            }
        }
        self.paths["/modules/{module}"] = {
            "get": {
                "operationId": "modules.read",
                "summary": "A module's definition as the caller may see it",
                "tags": ["General"],
                "parameters": [
                    _path_param(
                        "module",
                        "a module id",
                        {"type": "string", "enum": module_ids} if module_ids else None,
                    ),
                    _query("lang", {"type": "string", "enum": ["en", "zh-CN"]}),
                ],
                "responses": _responses(
                    200, {"type": "object", "properties": {"fields": {"type": "array"}}}, (401, 404)
                ),
            }
        }
        inbox_item = {
            "type": "object",
            "properties": {
                "record": ref("Record"),
                "reason": {"enum": ["vote", "transition", "copied"]},
                "transitions": {"type": "array", "items": {"type": "string"}},
                "overdue": {"type": "boolean"},
                "due_at": {"type": ["string", "null"], "format": "date-time"},
            },
        }
        self.paths["/inbox"] = {
            "get": {
                "operationId": "inbox",
                "summary": "Records waiting for the caller's action, copied to them, overdue",
                "tags": ["General"],
                "responses": _responses(
                    200,
                    {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": inbox_item},
                            "counts": {
                                "type": "object",
                                "additionalProperties": {"type": "integer"},
                            },
                        },
                    },
                    (401,),
                ),
            }
        }
        reports = sorted(
            (r for r in self.catalog.reports.values() if r.module in module_ids), key=lambda r: r.id
        )
        self.paths["/reports"] = {
            "get": {
                "operationId": "reports.list",
                "summary": "The reports over modules the caller may read",
                "tags": ["Reports"],
                "responses": _responses(
                    200,
                    items(
                        {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string"},
                                "title": {"type": "string"},
                                "module": {"type": "string"},
                            },
                        }
                    ),
                    (401,),
                ),
            }
        }
        for report in reports:
            cell = {"type": ["string", "number", "integer", "boolean", "null"]}
            self.paths[f"/reports/{report.id}"] = {
                "get": {
                    "operationId": f"reports.{report.id}",
                    "summary": self.text(report.title),
                    "tags": ["Reports"],
                    "parameters": [
                        _query("format", {"type": "string", "enum": ["json", "csv", "xlsx"]}),
                        *[
                            p
                            for name in self.catalog.modules[report.module].ui.list.filters
                            for p in self.filter_parameters(
                                self.catalog.modules[report.module],
                                name,
                                permissions.field_access(
                                    self.viewer, self.catalog.modules[report.module]
                                ),
                            )
                        ],
                    ],
                    "responses": {
                        **_responses(
                            200,
                            {
                                "type": "object",
                                "required": ["columns", "rows"],
                                "properties": {
                                    "columns": {"type": "array", "items": {"type": "string"}},
                                    "rows": {
                                        "type": "array",
                                        "items": {"type": "object", "additionalProperties": cell},
                                    },
                                },
                            },
                            READ_ERRORS,
                        ),
                    },
                }
            }
            self.paths[f"/reports/{report.id}"]["get"]["responses"]["200"]["content"].update(
                {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "contentEncoding": "binary"}
                    },
                }
            )
        self.paths["/openapi.json"] = {
            "get": {
                "operationId": "openapi",
                "summary": "This document, generated for the caller",
                "tags": ["General"],
                "security": [{}, {"bearer": []}],
                "responses": _responses(200, {"type": "object"}, (401,)),
            }
        }
        if self.viewer.is_admin:
            self.admin_paths()

    def admin_paths(self) -> None:
        tag = ["Administration"]
        any_object = {"type": "object"}
        self.paths["/packs"] = {
            "get": {
                "operationId": "packs.list",
                "summary": "Installed packs",
                "tags": tag,
                "responses": _responses(200, any_object, (401, 403)),
            },
            "post": {
                "operationId": "packs.import",
                "summary": "Install or upgrade a pack (dry_run=1: only report the differences)",
                "tags": tag,
                "parameters": [_query("dry_run", {"type": "string", "enum": ["0", "1"]})],
                "requestBody": _body(any_object),
                "responses": {
                    **_responses(201, any_object, (400, 401, 403, 409, 413, 415, 422)),
                    "200": {
                        "description": "A dry run, or nothing changed",
                        "content": _json(any_object),
                    },
                },
            },
        }
        self.paths["/packs/{pack}"] = {
            "get": {
                "operationId": "packs.export",
                "summary": "A pack exactly as it was imported",
                "tags": tag,
                "parameters": [_path_param("pack", "a pack id")],
                "responses": _responses(200, any_object, (401, 403, 404)),
            }
        }
        webhook = {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "url": {"type": "string"},
                "module": {"type": ["string", "null"]},
                "events": {"type": "array", "items": {"type": "string"}},
                "allow_private": {"type": "boolean"},
                "active": {"type": "boolean"},
            },
        }
        self.paths["/webhooks"] = {
            "get": {
                "operationId": "webhooks.list",
                "summary": "Registered webhooks",
                "tags": tag,
                "responses": _responses(
                    200,
                    {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": webhook}},
                    },
                    (401, 403),
                ),
            },
            "post": {
                "operationId": "webhooks.add",
                "summary": "Register a webhook; the answer holds its signing secret, shown once",
                "tags": tag,
                "requestBody": _body(
                    {
                        "type": "object",
                        "required": ["url", "events"],
                        "properties": {
                            "url": {"type": "string", "format": "uri"},
                            "events": {
                                "type": "array",
                                "items": {
                                    "enum": [
                                        "created",
                                        "updated",
                                        "deleted",
                                        "transition",
                                        "state_entered",
                                    ]
                                },
                            },
                            "module": {"type": ["string", "null"]},
                            "allow_private": {"type": "boolean"},
                        },
                        "additionalProperties": False,
                    }
                ),
                "responses": _responses(201, webhook, (400, 401, 403, 413, 415, 422)),
            },
        }
        webhook_id = _path_param("webhook", "a webhook id", {"type": "integer", "minimum": 1})
        self.paths["/webhooks/{webhook}"] = {
            "delete": {
                "operationId": "webhooks.remove",
                "summary": "Stop a webhook",
                "tags": tag,
                "parameters": [webhook_id],
                "responses": _responses(204, None, (401, 403, 404)),
            }
        }
        self.paths["/webhooks/{webhook}/deliveries"] = {
            "get": {
                "operationId": "webhooks.deliveries",
                "summary": "The latest delivery attempts of a webhook",
                "tags": tag,
                "parameters": [
                    webhook_id,
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
                ],
                "responses": _responses(
                    200,
                    {"type": "object", "properties": {"items": {"type": "array"}}},
                    (401, 403, 404, 422),
                ),
            }
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
        self.general_paths(modules)
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
