"""The administrators' operations in the OpenAPI document: packs and webhooks."""

from __future__ import annotations

from typing import Any

from web.api.spec_context import SpecContext
from web.api.spec_parts import (
    json_content,
    operation,
    path_param,
    query_param,
    request_body,
    responses,
)

TAG = ["Administration"]
ANY_OBJECT: dict[str, Any] = {"type": "object"}
WEBHOOK_EVENTS = ["created", "updated", "deleted", "transition", "state_entered"]
WEBHOOK = {
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
NEW_WEBHOOK = {
    "type": "object",
    "required": ["url", "events"],
    "properties": {
        "url": {"type": "string", "format": "uri"},
        "events": {"type": "array", "items": {"enum": WEBHOOK_EVENTS}},
        "module": {"type": ["string", "null"]},
        "allow_private": {"type": "boolean"},
    },
    "additionalProperties": False,
}


def admin_paths(ctx: SpecContext) -> None:
    """Packs and webhooks, shown to administrators only."""
    pack_paths(ctx)
    webhook_paths(ctx)


def pack_paths(ctx: SpecContext) -> None:
    imported = {
        **responses(201, ANY_OBJECT, (400, 401, 403, 409, 413, 415, 422)),
        "200": {
            "description": "A dry run, or nothing changed",
            "content": json_content(ANY_OBJECT),
        },
    }
    dry_run = query_param("dry_run", {"type": "string", "enum": ["0", "1"]})
    ctx.paths["/packs"] = {
        "get": operation(
            "packs.list", "Installed packs", TAG, responses(200, ANY_OBJECT, (401, 403))
        ),
        "post": operation(
            "packs.import",
            "Install or upgrade a pack (dry_run=1: only report the differences)",
            TAG,
            imported,
            parameters=[dry_run],
            body=request_body(ANY_OBJECT),
        ),
    }
    ctx.paths["/packs/{pack}"] = {
        "get": operation(
            "packs.export",
            "A pack exactly as it was imported",
            TAG,
            responses(200, ANY_OBJECT, (401, 403, 404)),
            parameters=[path_param("pack", "a pack id")],
        )
    }


def webhook_paths(ctx: SpecContext) -> None:
    listing = {"type": "object", "properties": {"items": {"type": "array", "items": WEBHOOK}}}
    ctx.paths["/webhooks"] = {
        "get": operation(
            "webhooks.list", "Registered webhooks", TAG, responses(200, listing, (401, 403))
        ),
        "post": operation(
            "webhooks.add",
            "Register a webhook; the answer holds its signing secret, shown once",
            TAG,
            responses(201, WEBHOOK, (400, 401, 403, 413, 415, 422)),
            body=request_body(NEW_WEBHOOK),
        ),
    }
    webhook_id = path_param(
        "webhook", "a webhook id", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    )
    ctx.paths["/webhooks/{webhook}"] = {
        "delete": operation(
            "webhooks.remove",
            "Stop a webhook",
            TAG,
            responses(204, None, (401, 403, 404)),
            parameters=[webhook_id],
        )
    }
    deliveries = {"type": "object", "properties": {"items": {"type": "array"}}}
    limit = query_param("limit", {"type": "integer", "minimum": 1, "maximum": 500})
    ctx.paths["/webhooks/{webhook}/deliveries"] = {
        "get": operation(
            "webhooks.deliveries",
            "The latest delivery attempts of a webhook",
            TAG,
            responses(200, deliveries, (401, 403, 404, 422)),
            parameters=[webhook_id, limit],
        )
    }
