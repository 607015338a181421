"""Webhook registrations: who receives which events of which modules.

An administrator registers a URL for events of one module (or of every module). The URL is
checked here (public addresses only, unless `allow_private`) and again at every delivery.
Removing a webhook deactivates it and cancels what is still queued for it; its log stays.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.catalog import load_catalog
from engine.errors import NotFound, Problem, ValidationFailed
from engine.models import Webhook, WebhookMessage, utcnow
from engine.webhooks.targets import UnsafeTarget, check_url

EVENTS = ("created", "updated", "deleted", "transition", "state_entered")
MAX_ID = 2**31 - 1  # webhook ids are 32-bit integers on every backend


def add_webhook(
    session: Session,
    url: str,
    events: Iterable[str],
    *,
    module: str | None = None,
    allow_private: bool = False,
    created_by: str | None = None,
) -> Webhook:
    """Register a webhook; its `secret` (for checking signatures) is made here."""
    events = list(dict.fromkeys(events))
    problems: list[Problem] = []
    try:
        check_url(url, allow_private=allow_private)
    except UnsafeTarget as error:
        problems.append(Problem("/url", error.code, error.params))
    if not events:
        problems.append(Problem("/events", "events_required", {"events": ", ".join(EVENTS)}))
    for index, event in enumerate(events):
        if event not in EVENTS:
            params = {"event": event, "events": ", ".join(EVENTS)}
            problems.append(Problem(f"/events/{index}", "unknown_event", params))
    if module is not None and module not in load_catalog(session).modules:
        problems.append(Problem("/module", "no_module", {"module": module}))
    if problems:
        raise ValidationFailed(problems)
    webhook = Webhook(
        url=url,
        module=module,
        events=events,
        secret="whsec_" + secrets.token_urlsafe(24),
        allow_private=allow_private,
        active=True,
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(webhook)
    session.flush()
    return webhook


def list_webhooks(session: Session) -> list[Webhook]:
    return list(session.scalars(select(Webhook).order_by(Webhook.id)))


def get_webhook(session: Session, webhook_id: int) -> Webhook:
    """The webhook with this id; NotFound for any other number (too large ones included)."""
    webhook = session.get(Webhook, webhook_id) if 1 <= webhook_id <= MAX_ID else None
    if webhook is None:
        raise NotFound(code="unknown_webhook", id=webhook_id)
    return webhook


def remove_webhook(session: Session, webhook_id: int) -> Webhook:
    """Stop a webhook: nothing more is queued for it, and what is queued is not sent."""
    webhook = get_webhook(session, webhook_id)
    webhook.active = False
    session.execute(
        update(WebhookMessage)
        .where(WebhookMessage.webhook_id == webhook.id, WebhookMessage.status == "pending")
        .values(status="cancelled")
    )
    return webhook
