"""Small helpers the API routes share: the module a caller may read, query strings, bodies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import request
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.errors import PermissionDenied, Problem, ValidationFailed
from engine.i18n import localize
from engine.records.query import MAX_FILTERS
from web.api.body import json_body
from web.params import shown, whole_number
from web.refusals import api_language as language

PREFIX = "/api/v1"  # where every API route lives


def readable_module(session: Session, actor: Actor, module_id: str) -> Module:
    """The module, if the caller may read it; NotFound otherwise (never revealing it exists)."""
    module = load_catalog(session).module(module_id)
    abilities(actor, module).require_read()
    return module


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(code="admin_only")


def text(value: Any) -> str:
    """A pack's localized text in the caller's language."""
    return localize(value, language())


def query_params() -> dict[str, Any]:
    """The query string as the engine's list parser takes it (repeated keys → lists).

    Counts filter clauses first, repeated keys included: the engine accepts at most
    MAX_FILTERS, and ten thousand clauses must be refused before any is built.
    """
    params: dict[str, Any] = {}
    clauses = 0
    for key, values in request.args.lists():
        if key.startswith("filter"):
            clauses += len(values)
        params[key] = values[0] if len(values) == 1 else values
    if clauses > MAX_FILTERS:
        raise ValidationFailed(
            [Problem("filter", "too_many_filters", {"limit": MAX_FILTERS, "given": clauses})]
        )
    return params


def json_object(allowed: Iterable[str], *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object with only `allowed` keys (422 naming any other)."""
    body = json_body(required=required)
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise ValidationFailed([Problem("", "body_not_object")])
    allowed = set(allowed)
    unknown = [
        Problem(f"/{key}", "unknown_key", {"key": key}) for key in body if key not in allowed
    ]
    if unknown:
        raise ValidationFailed(unknown)
    return dict(body)


def version_of(value: Any, path: str = "/version", *, required: bool = True) -> int | None:
    """A record version from a body or query string: a positive whole number."""
    if value is None:
        if required:
            raise ValidationFailed([Problem(path, "version_required")])
        return None
    number = whole_number(value.strip() if isinstance(value, str) else value)
    if number is None or number < 1:
        raise ValidationFailed([Problem(path, "not_a_version", {"value": shown(value)})])
    return number
