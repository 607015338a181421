"""Webhook registrations: who receives which events of which modules, paused or not.

An administrator registers a URL for events of one module (or of every module). The URL is
checked here (public addresses only, unless `allow_private`) and again at every delivery.

Pausing holds deliveries without losing events: a paused webhook still gets its outbox
rows, written with each change, but delivery skips them (no attempt is made or counted)
until it is resumed, when the held rows are due at once. Removing is for good: nothing more
is queued, what is still queued is cancelled, and the webhook and its log stay readable.
Each change is written to the admin trail (engine/admin_log.py) by the function making it,
in its transaction; `by` is the administrator's name, None for the command line.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.admin_log import log_admin_action
from engine.catalog import load_catalog
from engine.errors import NotFound, Problem, ValidationFailed
from engine.models import Webhook, WebhookMessage, utcnow
from engine.webhooks.targets import UnsafeTarget, check_url

EVENTS = ("created", "updated", "deleted", "transition", "state_entered")
MAX_ID = 2**31 - 1  # webhook ids are 32-bit integers on every backend


def webhook_summary(webhook: Webhook) -> dict[str, Any]:
    """What the admin trail keeps of a webhook (never its secret)."""
    return {
        "url": webhook.url,
        "module": webhook.module,
        "events": list(webhook.events or ()),
        "allow_private": webhook.allow_private,
        "active": webhook.active,
    }


def _target(webhook: Webhook) -> str:
    return f"webhook {webhook.id}"


def _problems(
    session: Session, url: str, events: list[str], module: str | None, allow: bool
) -> list[Problem]:
    """Every reason the registration is refused: the URL, the events, the module."""
    problems: list[Problem] = []
    try:
        check_url(url, allow_private=allow)
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
    return problems


def add_webhook(
    session: Session,
    url: str,
    events: Iterable[str],
    *,
    module: str | None = None,
    allow_private: bool = False,
    by: str | None = None,
) -> Webhook:
    """Register a webhook; its `secret` (for checking signatures) is made here.

    Every problem is reported at once (ValidationFailed) and nothing is stored then.
    """
    events = list(dict.fromkeys(events))
    problems = _problems(session, url, events, module, allow_private)
    if problems:
        raise ValidationFailed(problems)
    webhook = Webhook(
        url=url,
        module=module,
        events=events,
        secret="whsec_" + secrets.token_urlsafe(24),
        allow_private=allow_private,
        active=True,
        created_by=by,
        created_at=utcnow(),
    )
    session.add(webhook)
    session.flush()
    log_admin_action(session, by, "webhook.add", _target(webhook), after=webhook_summary(webhook))
    return webhook


def list_webhooks(session: Session, *, removed: bool = False) -> list[Webhook]:
    """The webhooks in use (active or paused); with `removed`, only the removed ones."""
    condition = Webhook.removed_at.is_not(None) if removed else Webhook.removed_at.is_(None)
    return list(session.scalars(select(Webhook).where(condition).order_by(Webhook.id)))


def get_webhook(session: Session, webhook_id: int) -> Webhook:
    """The webhook with this id, removed ones too; NotFound for any other number."""
    webhook = session.get(Webhook, webhook_id) if 1 <= webhook_id <= MAX_ID else None
    if webhook is None:
        raise NotFound(code="unknown_webhook", id=webhook_id)
    return webhook


def live_webhook(session: Session, webhook_id: int) -> Webhook:
    """A webhook that can still be changed or sent to: a removed one is NotFound here."""
    webhook = get_webhook(session, webhook_id)
    if webhook.removed_at is not None:
        raise NotFound(code="unknown_webhook", id=webhook_id)
    return webhook


def _set_active(session: Session, webhook_id: int, active: bool, by: str | None) -> Webhook:
    webhook = live_webhook(session, webhook_id)
    if webhook.active == active:  # already so: nothing to change, nothing to log
        return webhook
    before = webhook_summary(webhook)
    webhook.active = active
    session.flush()
    action = "webhook.resume" if active else "webhook.pause"
    after = webhook_summary(webhook)
    log_admin_action(session, by, action, _target(webhook), before=before, after=after)
    return webhook


def pause_webhook(session: Session, webhook_id: int, *, by: str | None) -> Webhook:
    """Hold deliveries: events are still queued, none is sent until `resume_webhook`."""
    return _set_active(session, webhook_id, False, by)


def resume_webhook(session: Session, webhook_id: int, *, by: str | None) -> Webhook:
    """Deliver again, starting with what was held while paused."""
    return _set_active(session, webhook_id, True, by)


def remove_webhook(session: Session, webhook_id: int, *, by: str | None) -> Webhook:
    """Stop a webhook for good: nothing more is queued for it, and what is queued is not
    sent. Its registration and delivery log stay readable."""
    webhook = live_webhook(session, webhook_id)
    before = webhook_summary(webhook)
    webhook.active = False
    webhook.removed_at = utcnow()
    session.execute(
        update(WebhookMessage)
        .where(WebhookMessage.webhook_id == webhook.id, WebhookMessage.status == "pending")
        .values(status="cancelled")
    )
    log_admin_action(session, by, "webhook.remove", _target(webhook), before=before)
    return webhook
