"""Delivery: signed POSTs of due outbox rows, retries with backoff, and the delivery log.

Deliveries are signed with HMAC-SHA256 over `"<timestamp>.<body>"` with the webhook's secret
(`X-Formwork-Signature: t=<unix seconds>,v1=<hex digest>`). Delivery is at least once: a
worker that dies between sending and logging leaves the row to be sent again after its
lease. A failed attempt is retried after BACKOFF seconds, doubling up to MAX_BACKOFF, and
given up after MAX_ATTEMPTS. A paused webhook's rows wait, untouched, until it is resumed.
Each attempt connects to the very address that was checked (no DNS rebinding) and follows
no redirect. On PostgreSQL, workers claim due rows with
`FOR UPDATE SKIP LOCKED`, so any number of them can run side by side.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import is_sqlite, transaction
from engine.errors import Problem
from engine.models import Webhook, WebhookDelivery, WebhookMessage, utcnow
from engine.webhooks.targets import UnsafeTarget, resolve_target

TIMEOUT = 10.0  # seconds for connecting and for each read
BACKOFF = 30  # seconds before the first retry; doubles after each failure
MAX_BACKOFF = 6 * 3600
MAX_ATTEMPTS = 10
LEASE = dt.timedelta(minutes=5)  # a claimed row is left alone this long by other workers
EXCERPT = 500  # characters of a receiver's answer kept in the delivery log
USER_AGENT = "Formwork-Webhooks/1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Formwork-Signature` header value for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = 300
) -> bool:
    """Whether `header` signs `body` with `secret`, made within `tolerance` seconds.

    What a receiver does; here for the tests and as the reference for integrators.
    """
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, header.strip())


@dataclass(frozen=True)
class Answer:
    """What a receiver answered, or why there was no answer (`refusal`: the address guard's
    coded reason, for a reader in another language)."""

    status: int | None
    body: str = ""
    error: str | None = None
    refusal: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


Sender = Callable[[str, bytes, dict[str, str], bool], Answer]


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand, whatever the name resolves to now."""

    def __init__(self, host: str, address: tuple[str, int], timeout: float):
        super().__init__(host, address[1], timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection(self._address, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is still verified against the host name."""

    def __init__(self, host: str, address: tuple[str, int], timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(host, address[1], timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection(self._address, self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def send(url: str, body: bytes, headers: dict[str, str], allow_private: bool) -> Answer:
    """POST `body` to `url` once: no redirects, TIMEOUT seconds, only to a checked address."""
    try:
        addresses = resolve_target(url, allow_private=allow_private)
    except UnsafeTarget as error:
        return Answer(
            None, error=f"refused: {error}", refusal=Problem("/url", error.code, error.params)
        )
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname or "", addresses[0], TIMEOUT)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(64 * 1024).decode("utf-8", "replace")
        return Answer(response.status, text[:EXCERPT])
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, error=f"{type(error).__name__}: {error}"[:EXCERPT])
    finally:
        connection.close()


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: BACKOFF, doubling, at most MAX_BACKOFF."""
    return dt.timedelta(seconds=min(MAX_BACKOFF, BACKOFF * 2 ** max(0, attempts - 1)))


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)  # outbox ids
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _claim(
    session_factory: sessionmaker[Session], now: dt.datetime, limit: int
) -> list[tuple[int, str, str, str, bool, int, str]]:
    """Take due rows (leased for LEASE, so other workers skip them meanwhile).

    Rows of a paused webhook are left as they are, neither sent nor counted; rows of a
    removed one are cancelled.
    """
    paused = select(Webhook.id).where(Webhook.active.is_(False), Webhook.removed_at.is_(None))
    with transaction(session_factory) as session:
        statement = (
            select(WebhookMessage)
            .where(
                WebhookMessage.status == "pending",
                WebhookMessage.next_attempt_at <= now,
                WebhookMessage.webhook_id.not_in(paused),
            )
            .order_by(WebhookMessage.next_attempt_at, WebhookMessage.id)
            .limit(limit)
        )
        if not is_sqlite(session):
            statement = statement.with_for_update(skip_locked=True)
        messages = list(session.scalars(statement))
        claimed = []
        for message in messages:
            hook = session.get(Webhook, message.webhook_id)
            if hook is None or not hook.active:
                message.status = "cancelled"
                continue
            message.next_attempt_at = now + LEASE
            claimed.append(
                (
                    message.id,
                    hook.url,
                    hook.secret,
                    message.payload,
                    hook.allow_private,
                    message.attempts,
                    message.event,
                )
            )
        return claimed


def request_headers(
    message_id: int, event: str, secret: str, body: bytes, timestamp: int
) -> dict[str, str]:
    """The headers of one signed delivery (a ping's too): event, delivery id, signature."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Formwork-Event": event,
        "X-Formwork-Delivery": str(message_id),
        "X-Formwork-Signature": signature(secret, timestamp, body),
    }


def _record_attempt(
    session: Session,
    message: WebhookMessage,
    answer: Answer,
    now: dt.datetime,
    took: int,
    report: DeliveryReport,
) -> None:
    """Log one attempt and move the row on: delivered, failed for good, or due again later."""
    session.add(
        WebhookDelivery(
            message_id=message.id,
            webhook_id=message.webhook_id,
            attempt=message.attempts,
            at=now,
            status_code=answer.status,
            duration_ms=took,
            error=answer.error or (None if answer.ok else f"the receiver answered {answer.status}"),
            response_excerpt=answer.body or None,
        )
    )
    if answer.ok:
        message.status = "delivered"
        message.delivered_at = now
        message.last_error = None
        report.delivered.append(message.id)
    elif message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        message.last_error = answer.error or f"HTTP {answer.status}"
        report.failed.append(message.id)
        from engine.notifications.failures import webhook_failed  # notifications read webhooks

        webhook_failed(session, message, now)
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        message.last_error = answer.error or f"HTTP {answer.status}"
        report.retrying.append(message.id)


def deliver_due(
    session_factory: sessionmaker[Session],
    *,
    now: dt.datetime | None = None,
    limit: int = 100,
    sender: Sender | None = None,
    clock: Callable[[], float] = time.time,
) -> DeliveryReport:
    """Send every due outbox row once; log each attempt; schedule retries with backoff.

    Each row is claimed in a short transaction, sent with no transaction open, and its
    outcome written in another: a slow receiver holds no lock and blocks no user.
    """
    now = now or utcnow()
    sender = sender or send
    report = DeliveryReport()
    for message_id, url, secret, payload, allow_private, attempts, event in _claim(
        session_factory, now, limit
    ):
        body = payload.encode("utf-8")
        headers = request_headers(message_id, event, secret, body, int(clock()))
        started = time.monotonic()
        answer = sender(url, body, headers, allow_private)
        took = int((time.monotonic() - started) * 1000)
        with transaction(session_factory) as session:
            message = session.get(WebhookMessage, message_id)
            if message is None:  # pragma: no cover - deleted with its webhook meanwhile
                continue
            message.attempts = attempts + 1
            _record_attempt(session, message, answer, now, took, report)
    return report


def list_deliveries(
    session: Session, webhook_id: int | None = None, limit: int = 50
) -> list[tuple[WebhookDelivery, WebhookMessage]]:
    """The latest delivery attempts, newest first, with the event each one carried."""
    statement = (
        select(WebhookDelivery, WebhookMessage)
        .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    if webhook_id is not None:
        statement = statement.where(WebhookDelivery.webhook_id == webhook_id)
    return [(row[0], row[1]) for row in session.execute(statement)]
