"""Webhooks through the API (administrators only): register, list, pause, resume, remove,
read the delivery log and send one event again.

The secret that signs deliveries is returned once, when the webhook is registered, like an
API token; the list shows whether each webhook is active and where its deliveries stand.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from engine import webhooks
from engine.errors import Problem, ValidationFailed
from engine.models import Webhook
from web.api.common import json_object, require_admin
from web.api.context import api_session
from web.api.operations import operation
from web.params import whole_number

bp = Blueprint("webhooks", __name__)


def webhook_json(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "module": webhook.module,
        "events": list(webhook.events or ()),
        "allow_private": webhook.allow_private,
        "active": webhook.active,
        "created_by": webhook.created_by,
        "created_at": webhook.created_at,
    }


@bp.get("/webhooks")
@operation("webhooks.list")
def list_() -> ResponseReturnValue:
    with api_session() as (session, actor):
        require_admin(actor)
        return jsonify({"items": [webhook_json(w) for w in webhooks.list_webhooks(session)]})


@bp.post("/webhooks")
@operation("webhooks.add")
def add() -> ResponseReturnValue:
    """`{"url", "events": [..], "module"?, "allow_private"?}` → 201 with the secret, shown once."""
    with api_session() as (session, actor):
        require_admin(actor)
        body = json_object({"url", "events", "module", "allow_private"})
        problems = []
        if not isinstance(body.get("url"), str):
            problems.append(Problem("/url", "url_required"))
        events = body.get("events")
        if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
            problems.append(Problem("/events", "event_list_required"))
        if body.get("module") is not None and not isinstance(body["module"], str):
            problems.append(Problem("/module", "module_or_null"))
        if not isinstance(body.get("allow_private", False), bool):
            problems.append(Problem("/allow_private", "not_a_boolean"))
        if problems:
            raise ValidationFailed(problems)
        webhook = webhooks.add_webhook(
            session,
            body["url"],
            events or [],
            module=body.get("module"),
            allow_private=body.get("allow_private", False),
            by=actor.name,
        )
        return jsonify(webhook_json(webhook) | {"secret": webhook.secret}), 201


@bp.delete("/webhooks/<int:webhook_id>")
@operation("webhooks.remove")
def remove(webhook_id: int) -> ResponseReturnValue:
    """Stop a webhook; its log stays readable."""
    with api_session() as (session, actor):
        require_admin(actor)
        webhooks.remove_webhook(session, webhook_id, by=actor.name)
        return "", 204


@bp.post("/webhooks/<int:webhook_id>/pause")
@operation("webhooks.pause")
def pause(webhook_id: int) -> ResponseReturnValue:
    """Hold deliveries; events keep being queued and go out once it is resumed."""
    with api_session() as (session, actor):
        require_admin(actor)
        return jsonify(webhook_json(webhooks.pause_webhook(session, webhook_id, by=actor.name)))


@bp.post("/webhooks/<int:webhook_id>/resume")
@operation("webhooks.resume")
def resume(webhook_id: int) -> ResponseReturnValue:
    with api_session() as (session, actor):
        require_admin(actor)
        return jsonify(webhook_json(webhooks.resume_webhook(session, webhook_id, by=actor.name)))


@bp.post("/webhooks/<int:webhook_id>/events/<int:event_id>/redeliver")
@operation("webhooks.redeliver")
def redeliver(webhook_id: int, event_id: int) -> ResponseReturnValue:
    """Send a delivered or failed event again (one still waiting is left as it is)."""
    with api_session() as (session, actor):
        require_admin(actor)
        message = webhooks.redeliver(session, webhook_id, event_id, by=actor.name)
        return jsonify({"id": message.id, "state": message.status, "attempts": message.attempts})


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@operation("webhooks.deliveries")
def deliveries(webhook_id: int) -> ResponseReturnValue:
    """The latest delivery attempts (`?limit=`, at most 500): status, time taken, error."""
    with api_session() as (session, actor):
        require_admin(actor)
        limit = whole_number(request.args.get("limit", "50"))
        if limit is None or not 1 <= limit <= 500:
            raise ValidationFailed([Problem("limit", "out_of_range", {"low": 1, "high": 500})])
        webhooks.get_webhook(session, webhook_id)
        items = [
            {
                "id": delivery.id,
                "event": message.event,
                "message": message.id,
                "record": message.record_id,
                "attempt": delivery.attempt,
                "at": delivery.at,
                "status_code": delivery.status_code,
                "duration_ms": delivery.duration_ms,
                "error": delivery.error,
                "state": message.status,
            }
            for delivery, message in webhooks.list_deliveries(session, webhook_id, limit)
        ]
        return jsonify({"items": items})
