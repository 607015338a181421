"""The administrators' operations in the OpenAPI document: packs and webhooks, left out of
every other caller's document."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from web.api.spec_context import Builder, Placed, SpecContext
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


WEBHOOK_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
EVENT_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def _admins(build: Callable[[], dict[str, Any]]) -> Builder:
    """A builder of an operation shown to administrators only."""

    def placed(ctx: SpecContext) -> Iterator[Placed]:
        if ctx.viewer.is_admin:
            yield {}, build()

    return placed


def _packs() -> dict[str, Any]:
    return operation("packs.list", "Installed packs", TAG, responses(200, ANY_OBJECT, (401, 403)))


def _import() -> dict[str, Any]:
    imported = {
        **responses(201, ANY_OBJECT, (400, 401, 403, 409, 413, 415, 422)),
        "200": {
            "description": "A dry run, or nothing changed",
            "content": json_content(ANY_OBJECT),
        },
    }
    dry_run = query_param("dry_run", {"type": "string", "enum": ["0", "1"]})
    return operation(
        "packs.import",
        "Install or upgrade a pack (dry_run=1: only report the differences)",
        TAG,
        imported,
        parameters=[dry_run],
        body=request_body(ANY_OBJECT),
    )


def _export() -> dict[str, Any]:
    return operation(
        "packs.export",
        "A pack exactly as it was imported",
        TAG,
        responses(200, ANY_OBJECT, (401, 403, 404)),
        parameters=[path_param("pack", "a pack id")],
    )


def _history() -> dict[str, Any]:
    return operation(
        "packs.history",
        "Every version a pack has had, and its imports and restores",
        TAG,
        responses(200, ANY_OBJECT, (401, 403, 404)),
        parameters=[path_param("pack", "a pack id")],
    )


def _restore() -> dict[str, Any]:
    version = {
        "type": "object",
        "required": ["version"],
        "properties": {"version": {"type": "string", "minLength": 1}},
        "additionalProperties": False,
    }
    dry_run = query_param("dry_run", {"type": "string", "enum": ["0", "1"]})
    return operation(
        "packs.restore",
        "Install an earlier version of a pack again (dry_run=1: only report the differences)",
        TAG,
        responses(200, ANY_OBJECT, (400, 401, 403, 404, 409, 415, 422)),
        parameters=[path_param("pack", "a pack id"), dry_run],
        body=request_body(version),
    )


def _webhooks() -> dict[str, Any]:
    listing = {"type": "object", "properties": {"items": {"type": "array", "items": WEBHOOK}}}
    return operation(
        "webhooks.list", "Registered webhooks", TAG, responses(200, listing, (401, 403))
    )


def _add() -> dict[str, Any]:
    return operation(
        "webhooks.add",
        "Register a webhook; the answer holds its signing secret, shown once",
        TAG,
        responses(201, WEBHOOK, (400, 401, 403, 413, 415, 422)),
        body=request_body(NEW_WEBHOOK),
    )


def _remove() -> dict[str, Any]:
    return operation(
        "webhooks.remove",
        "Stop a webhook",
        TAG,
        responses(204, None, (401, 403, 404)),
        parameters=[path_param("webhook", "a webhook id", WEBHOOK_ID)],
    )


def _hold(name: str, summary: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        return operation(
            name,
            summary,
            TAG,
            responses(200, WEBHOOK, (401, 403, 404)),
            parameters=[path_param("webhook", "a webhook id", WEBHOOK_ID)],
        )

    return build


def _redeliver() -> dict[str, Any]:
    event = {"type": "object", "properties": {"id": {"type": "integer"}, "state": {}}}
    return operation(
        "webhooks.redeliver",
        "Send a delivered or failed event of a webhook again",
        TAG,
        responses(200, event, (401, 403, 404)),
        parameters=[
            path_param("webhook", "a webhook id", WEBHOOK_ID),
            path_param("event_id", "an event of its delivery log", EVENT_ID),
        ],
    )


def _deliveries() -> dict[str, Any]:
    deliveries = {"type": "object", "properties": {"items": {"type": "array"}}}
    limit = query_param("limit", {"type": "integer", "minimum": 1, "maximum": 500})
    return operation(
        "webhooks.deliveries",
        "The latest delivery attempts of a webhook",
        TAG,
        responses(200, deliveries, (401, 403, 404, 422)),
        parameters=[path_param("webhook", "a webhook id", WEBHOOK_ID), limit],
    )


ADMIN_OPERATIONS: dict[str, Builder] = {
    "packs.list": _admins(_packs),
    "packs.import": _admins(_import),
    "packs.export": _admins(_export),
    "packs.history": _admins(_history),
    "packs.restore": _admins(_restore),
    "webhooks.list": _admins(_webhooks),
    "webhooks.add": _admins(_add),
    "webhooks.remove": _admins(_remove),
    "webhooks.pause": _admins(_hold("webhooks.pause", "Hold a webhook's deliveries")),
    "webhooks.resume": _admins(_hold("webhooks.resume", "Deliver a paused webhook's events")),
    "webhooks.redeliver": _admins(_redeliver),
    "webhooks.deliveries": _admins(_deliveries),
}
