"""The document's general operations: modules, inbox, reports, the document itself, and for
administrators packs and webhooks (see web/api/spec.py for the modules' own operations)."""

from __future__ import annotations

from engine import permissions
from engine.definitions.model import Module
from web.api.spec_context import SpecContext
from web.api.spec_params import filter_parameters
from web.api.spec_parts import (
    READ_ERRORS,
    json_content,
    path_param,
    query_param,
    ref,
    request_body,
    responses,
)


def general_paths(builder: SpecContext, modules: list[Module]) -> None:
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
    builder.paths["/modules"] = {
        "get": {
            "operationId": "modules.list",
            "summary": "The modules the caller may read",
            "tags": ["General"],
            "responses": responses(200, items(summary), (401,)),
        }
    }
    builder.paths["/modules/{module}"] = {
        "get": {
            "operationId": "modules.read",
            "summary": "A module's definition as the caller may see it",
            "tags": ["General"],
            "parameters": [
                path_param(
                    "module",
                    "a module id",
                    {"type": "string", "enum": module_ids} if module_ids else None,
                ),
                query_param("lang", {"type": "string", "enum": ["en", "zh-CN"]}),
            ],
            "responses": responses(
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
    builder.paths["/inbox"] = {
        "get": {
            "operationId": "inbox",
            "summary": "Records waiting for the caller's action, copied to them, overdue",
            "tags": ["General"],
            "responses": responses(
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
        (r for r in builder.catalog.reports.values() if r.module in module_ids), key=lambda r: r.id
    )
    builder.paths["/reports"] = {
        "get": {
            "operationId": "reports.list",
            "summary": "The reports over modules the caller may read",
            "tags": ["Reports"],
            "responses": responses(
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
        builder.paths[f"/reports/{report.id}"] = {
            "get": {
                "operationId": f"reports.{report.id}",
                "summary": builder.text(report.title),
                "tags": ["Reports"],
                "parameters": [
                    query_param("format", {"type": "string", "enum": ["json", "csv", "xlsx"]}),
                    *[
                        p
                        for name in builder.catalog.modules[report.module].ui.list.filters
                        for p in filter_parameters(
                            builder,
                            builder.catalog.modules[report.module],
                            name,
                            permissions.field_access(
                                builder.viewer, builder.catalog.modules[report.module]
                            ),
                        )
                    ],
                ],
                "responses": {
                    **responses(
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
        builder.paths[f"/reports/{report.id}"]["get"]["responses"]["200"]["content"].update(
            {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "contentEncoding": "binary"}
                },
            }
        )
    builder.paths["/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "summary": "This document, generated for the caller",
            "tags": ["General"],
            "security": [{}, {"bearer": []}],
            "responses": responses(200, {"type": "object"}, (401,)),
        }
    }
    if builder.viewer.is_admin:
        admin_paths(builder)


def admin_paths(builder: SpecContext) -> None:
    tag = ["Administration"]
    any_object = {"type": "object"}
    builder.paths["/packs"] = {
        "get": {
            "operationId": "packs.list",
            "summary": "Installed packs",
            "tags": tag,
            "responses": responses(200, any_object, (401, 403)),
        },
        "post": {
            "operationId": "packs.import",
            "summary": "Install or upgrade a pack (dry_run=1: only report the differences)",
            "tags": tag,
            "parameters": [query_param("dry_run", {"type": "string", "enum": ["0", "1"]})],
            "requestBody": request_body(any_object),
            "responses": {
                **responses(201, any_object, (400, 401, 403, 409, 413, 415, 422)),
                "200": {
                    "description": "A dry run, or nothing changed",
                    "content": json_content(any_object),
                },
            },
        },
    }
    builder.paths["/packs/{pack}"] = {
        "get": {
            "operationId": "packs.export",
            "summary": "A pack exactly as it was imported",
            "tags": tag,
            "parameters": [path_param("pack", "a pack id")],
            "responses": responses(200, any_object, (401, 403, 404)),
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
    builder.paths["/webhooks"] = {
        "get": {
            "operationId": "webhooks.list",
            "summary": "Registered webhooks",
            "tags": tag,
            "responses": responses(
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
            "requestBody": request_body(
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
            "responses": responses(201, webhook, (400, 401, 403, 413, 415, 422)),
        },
    }
    webhook_id = path_param(
        "webhook", "a webhook id", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    )
    builder.paths["/webhooks/{webhook}"] = {
        "delete": {
            "operationId": "webhooks.remove",
            "summary": "Stop a webhook",
            "tags": tag,
            "parameters": [webhook_id],
            "responses": responses(204, None, (401, 403, 404)),
        }
    }
    builder.paths["/webhooks/{webhook}/deliveries"] = {
        "get": {
            "operationId": "webhooks.deliveries",
            "summary": "The latest delivery attempts of a webhook",
            "tags": tag,
            "parameters": [
                webhook_id,
                query_param("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
            ],
            "responses": responses(
                200,
                {"type": "object", "properties": {"items": {"type": "array"}}},
                (401, 403, 404, 422),
            ),
        }
    }
