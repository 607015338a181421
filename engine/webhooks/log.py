"""The delivery log as an administrator reads and acts on it: a page of events with their
last attempt, one event sent again, and a test ping sent right now.

The log is read per outbox row (one event for one webhook): its status, attempts, next
retry, and the latest attempt's response code, time and error. Redelivering puts a
delivered or failed row back in the queue, due now, its attempt count kept; the worker
sends it. A ping is sent at once, through the same signed, guarded sender as every
delivery, and logged like one: an outbox row of event "ping" with its attempt.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.admin_log import log_admin_action
from engine.db import transaction
from engine.errors import NotFound
from engine.exactjson import dumps
from engine.models import WebhookDelivery, WebhookMessage, utcnow
from engine.webhooks import delivery
from engine.webhooks.delivery import EXCERPT, Answer, Sender
from engine.webhooks.registrations import get_webhook, live_webhook

PER_PAGE = 25
PING = "ping"
REDELIVERABLE = ("delivered", "failed")


@dataclass(frozen=True)
class LogRow:
    message: WebhookMessage
    last: WebhookDelivery | None  # the latest attempt; None while none was made


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def message_log(
    session: Session, webhook_id: int, *, page: int = 1, per_page: int = PER_PAGE
) -> LogPage:
    """One page of a webhook's events, newest first, each with its latest attempt (a page
    past the last one is the last one).

    Two statements whatever the page holds: the rows, then their latest attempts.
    """
    webhook = get_webhook(session, webhook_id)
    condition = WebhookMessage.webhook_id == webhook.id
    total = session.scalar(select(func.count()).select_from(WebhookMessage).where(condition)) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))  # past the last page: the last
    messages = list(
        session.scalars(
            select(WebhookMessage)
            .where(condition)
            .order_by(WebhookMessage.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    latest = (
        select(func.max(WebhookDelivery.id))
        .where(WebhookDelivery.message_id.in_([m.id for m in messages]))
        .group_by(WebhookDelivery.message_id)
    )
    attempts = {
        d.message_id: d
        for d in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(latest)))
    }
    rows = [LogRow(m, attempts.get(m.id)) for m in messages]
    return LogPage(rows, total, page, per_page)


def redeliver(
    session: Session, webhook_id: int, message_id: int, *, by: str | None
) -> WebhookMessage:
    """Send a delivered or failed event again: pending, due now, its attempts kept.

    A row still waiting (or being sent) is left as it is: it is going out anyway.
    """
    webhook = live_webhook(session, webhook_id)
    # event ids are 64-bit on every backend; a larger number is simply not one of them
    message = session.get(WebhookMessage, message_id) if 1 <= message_id < 2**63 else None
    if message is None or message.webhook_id != webhook.id:
        raise NotFound(code="unknown_webhook_event", id=webhook_id, event=message_id)
    if message.status not in REDELIVERABLE:
        return message
    before = {"message": message.id, "status": message.status, "attempts": message.attempts}
    message.status = "pending"
    message.next_attempt_at = utcnow()
    session.flush()
    after = {"message": message.id, "status": "pending", "attempts": message.attempts}
    log_admin_action(
        session, by, "webhook.redeliver", f"webhook {webhook.id}", before=before, after=after
    )
    return message


@dataclass(frozen=True)
class PingResult:
    message_id: int
    answer: Answer
    duration_ms: int


def _queue_ping(session: Session, webhook_id: int, by: str | None) -> WebhookMessage:
    """The ping's log row, written before sending so the signed request names its id."""
    webhook = live_webhook(session, webhook_id)
    now = utcnow()
    payload = {
        "id": str(uuid.uuid4()),
        "webhook": webhook.id,
        "event": PING,
        "occurred_at": now,
        "actor": by,
    }
    message = WebhookMessage(
        webhook_id=webhook.id,
        event=PING,
        module=webhook.module or "",
        record_id="",
        payload=dumps(payload),
        status="sending",  # not "pending": no worker picks it up meanwhile
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    return message


def send_ping(
    session_factory: sessionmaker[Session],
    webhook_id: int,
    *,
    by: str | None,
    sender: Sender | None = None,
    clock: Callable[[], float] = time.time,
) -> PingResult:
    """Send a signed "ping" event to the webhook now and log the attempt; no retry.

    Three short transactions, none open while the receiver answers (it may take up to
    TIMEOUT seconds): write the log row, send, write the outcome. The address guard is
    the delivery's own, so a ping reaches nothing a delivery could not.
    """
    with transaction(session_factory) as session:
        queued = _queue_ping(session, webhook_id, by)
        message_id, body = queued.id, queued.payload.encode("utf-8")
        hook = get_webhook(session, webhook_id)
        url, secret, allow_private = hook.url, hook.secret, hook.allow_private
    headers = delivery.request_headers(message_id, PING, secret, body, int(clock()))
    started = time.monotonic()
    answer = (sender or delivery.send)(url, body, headers, allow_private)
    took = int((time.monotonic() - started) * 1000)
    with transaction(session_factory) as session:
        message = session.get(WebhookMessage, message_id)
        assert message is not None  # written above; only purge deletes, after 30 days
        now = utcnow()
        message.attempts = 1
        message.status = "delivered" if answer.ok else "failed"
        message.delivered_at = now if answer.ok else None
        error = answer.error or (None if answer.ok else f"HTTP {answer.status}")
        message.last_error = error
        session.add(
            WebhookDelivery(
                message_id=message_id,
                webhook_id=message.webhook_id,
                attempt=1,
                at=now,
                status_code=answer.status,
                duration_ms=took,
                error=error,
                response_excerpt=(answer.body or None) and answer.body[:EXCERPT],
            )
        )
    return PingResult(message_id, answer, took)


@dataclass(frozen=True)
class Standing:
    """How a webhook's deliveries stand: its latest attempt and the events still waiting."""

    last: WebhookDelivery | None
    waiting: int


def standings(session: Session) -> dict[int, Standing]:
    """Webhook id → its standing, for every webhook that has events: two statements."""
    latest = select(func.max(WebhookDelivery.id)).group_by(WebhookDelivery.webhook_id)
    last = {
        d.webhook_id: d
        for d in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(latest)))
    }
    waiting: dict[int, int] = {
        row[0]: row[1]
        for row in session.execute(
            select(WebhookMessage.webhook_id, func.count())
            .where(WebhookMessage.status == "pending")
            .group_by(WebhookMessage.webhook_id)
        )
    }
    return {
        hook_id: Standing(last.get(hook_id), waiting.get(hook_id, 0))
        for hook_id in set(last) | set(waiting)
    }
