"""OpenAPI operations of the caller's notifications (web/api/notifications.py): the list,
marking read, and the preferences. The shapes are written from the answers that module
gives, the events and channels from the engine's own lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.notifications.preferences import LANGUAGES
from engine.notifications.vocabulary import CHANNELS, EVENTS
from web.api.spec_context import Builder, Placed, SpecContext
from web.api.spec_parts import (
    WRITE_ERRORS,
    operation,
    query_param,
    request_body,
    responses,
)

TAG = ["Notifications"]
TEXT_OR_NULL = {"type": ["string", "null"]}
CLOCK = {"type": ["string", "null"], "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}
NOTIFICATION = {
    "type": "object",
    "required": ["id", "event", "params", "text", "created_at", "read_at"],
    "properties": {
        "id": {"type": "integer"},
        "event": {"enum": list(EVENTS)},
        "module": TEXT_OR_NULL,
        "record_id": TEXT_OR_NULL,
        "actor": {"type": ["string", "null"], "description": "user name; null: the system"},
        "params": {
            "type": "object",
            "description": "what the event carries (docs/notifications.md); pack text as "
            '{"en": .., "zh-CN": ..}',
        },
        "text": {"type": "string", "description": "what happened, in the caller's language"},
        "detail": {"type": "string", "description": "the comment, excerpt or error, or empty"},
        "link": {"type": ["string", "null"], "description": "the page it is about"},
        "created_at": {"type": "string", "format": "date-time"},
        "read_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
PAGE = {
    "type": "object",
    "required": ["items", "unread", "page", "per_page", "more"],
    "properties": {
        "items": {"type": "array", "items": NOTIFICATION},
        "unread": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer"},
        "more": {"type": "boolean", "description": "whether a next page exists"},
    },
}
MARK = {
    "type": "object",
    "description": 'either {"ids": [..]} or {"all": true}',
    "properties": {
        "ids": {"type": "array", "items": {"type": "integer", "minimum": 0}, "maxItems": 1000},
        "all": {"const": True},
    },
    "additionalProperties": False,
}
MARKED = {
    "type": "object",
    "required": ["marked", "unread"],
    "properties": {"marked": {"type": "integer"}, "unread": {"type": "integer"}},
}
PREFERENCE_FIELDS: dict[str, Any] = {
    "email": {"type": ["string", "null"], "format": "email"},
    "mobile": {"type": ["string", "null"], "pattern": "^\\+?[0-9]{5,20}$"},
    "language": {"enum": list(LANGUAGES)},
    "muted": {"type": "array", "items": {"enum": list(EVENTS)}},
    "channels": {"type": "array", "items": {"enum": list(CHANNELS)}},
    "quiet_from": CLOCK,
    "quiet_to": CLOCK,
    "digest": {"type": "boolean"},
    "digest_hour": {"type": "integer", "minimum": 0, "maximum": 23},
}
PREFERENCES = {"type": "object", "properties": PREFERENCE_FIELDS, "additionalProperties": False}
ANSWER = PREFERENCES | {"required": list(PREFERENCE_FIELDS)}  # every key, always


def _list(ctx: SpecContext) -> Iterator[Placed]:
    yield (
        {},
        operation(
            "notifications.list",
            "The caller's notifications, newest first",
            TAG,
            responses(200, PAGE, (401, 422)),
            parameters=[
                query_param("page", {"type": "integer", "minimum": 1}),
                query_param("unread", {"enum": ["0", "1", "true", "false"]}, "unread only"),
            ],
        ),
    )


def _read(ctx: SpecContext) -> Iterator[Placed]:
    yield (
        {},
        operation(
            "notifications.read",
            "Mark some or all of the caller's notifications read",
            TAG,
            responses(200, MARKED, (400, 401, 413, 415, 422)),
            body=request_body(MARK),
        ),
    )


def _preferences(ctx: SpecContext) -> Iterator[Placed]:
    yield (
        {},
        operation(
            "notifications.preferences",
            "What the caller wants to be told, and where",
            TAG,
            responses(200, ANSWER, (401,)),
        ),
    )


def _save_preferences(ctx: SpecContext) -> Iterator[Placed]:
    yield (
        {},
        operation(
            "notifications.save_preferences",
            "Change the caller's preferences (keys left out keep their value); all or nothing",
            TAG,
            responses(200, ANSWER, tuple(c for c in WRITE_ERRORS if c not in (403, 404, 409))),
            body=request_body(PREFERENCES),
        ),
    )


NOTIFICATION_OPERATIONS: dict[str, Builder] = {
    "notifications.list": _list,
    "notifications.read": _read,
    "notifications.preferences": _preferences,
    "notifications.save_preferences": _save_preferences,
}
