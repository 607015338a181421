"""Webhooks: registrations, the outbox, signed delivery with retries, and the delivery log.

An administrator registers a URL for events of a module (or of every module): `created`,
`updated`, `deleted`, `transition` (a transition fired) and `state_entered`. When a record
changes, the records service and the workflow call `record_event` / `transition_event`,
which write one outbox row per matching webhook *in the transaction of the change*: the
event exists if and only if the change does, and the user's request never waits for a
receiver. `deliver_due` (run by `formwork tick` and `formwork worker`) sends what is due,
each attempt outside any database transaction, and logs status and time of each attempt.

Deliveries are JSON (decimals exact, as in the API) signed with HMAC-SHA256 over
`"<timestamp>.<body>"` with the webhook's secret:

    X-Formwork-Signature: t=<unix seconds>,v1=<hex digest>

Delivery is at least once: a worker that dies between sending and logging leaves the row to
be sent again after its lease, so receivers should skip a payload `id` they have seen.
A failed attempt (no answer, or a status other than 2xx) is retried after BACKOFF seconds,
doubling each time up to MAX_BACKOFF, and given up after MAX_ATTEMPTS. A URL whose host is
or resolves to a loopback, private, link-local or otherwise non-public address is refused —
at registration and again at every delivery, connecting to the very address that was checked
(no DNS rebinding) — unless the webhook was registered with `allow_private`. Redirects are
not followed. On PostgreSQL, workers claim due rows with `FOR UPDATE SKIP LOCKED`, so any
number of them can run side by side.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import secrets
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.actor import SYSTEM, Actor
from engine.catalog import load_catalog
from engine.db import is_sqlite, transaction
from engine.definitions.model import Module
from engine.errors import NotFound, Problem, ValidationFailed
from engine.exactjson import dumps, record_document
from engine.models import HistoryEntry, Webhook, WebhookDelivery, WebhookMessage
from engine.records.model import Record
from engine.records.reading import children_of, record_select, row_to_record
from engine.webhook_targets import UnsafeTarget, check_url, resolve_target

EVENTS = ("created", "updated", "deleted", "transition", "state_entered")
TIMEOUT = 10.0  # seconds for connecting and for each read
BACKOFF = 30  # seconds before the first retry; doubles after each failure
MAX_BACKOFF = 6 * 3600
MAX_ATTEMPTS = 10
KEEP = dt.timedelta(days=30)  # delivered, failed and cancelled events and their log
LEASE = dt.timedelta(minutes=5)  # a claimed row is left alone this long by other workers
EXCERPT = 500  # characters of a receiver's answer kept in the delivery log
USER_AGENT = "Formwork-Webhooks/1"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


# -- registrations -----------------------------------------------------------------------


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
        problems.append(Problem("/url", str(error)))
    if not events:
        problems.append(Problem("/events", f"name at least one of {', '.join(EVENTS)}"))
    for index, event in enumerate(events):
        if event not in EVENTS:
            problems.append(
                Problem(f"/events/{index}", f"unknown event {event!r}; use {', '.join(EVENTS)}")
            )
    if module is not None and module not in load_catalog(session).modules:
        problems.append(Problem("/module", f"no installed module {module!r}"))
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
        created_at=_now(),
    )
    session.add(webhook)
    session.flush()
    return webhook


def list_webhooks(session: Session) -> list[Webhook]:
    return list(session.scalars(select(Webhook).order_by(Webhook.id)))


MAX_ID = 2**31 - 1  # webhook ids are 32-bit integers on every backend


def get_webhook(session: Session, webhook_id: int) -> Webhook:
    """The webhook with this id; NotFound for any other number (too large ones included)."""
    webhook = session.get(Webhook, webhook_id) if 1 <= webhook_id <= MAX_ID else None
    if webhook is None:
        raise NotFound(f"no webhook with id {webhook_id}")
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


# -- the outbox ------------------------------------------------------------------------------


def _subscribers(session: Session, module_id: str, event: str) -> list[Webhook]:
    rows = session.scalars(
        select(Webhook).where(
            Webhook.active.is_(True), or_(Webhook.module == module_id, Webhook.module.is_(None))
        )
    )
    return [w for w in rows if event in (w.events or ())]


def _load(session: Session, module: Module, ids: Sequence[str]) -> dict[str, Record]:
    """Records as stored (nothing masked: the receiver is the administrator's system)."""
    catalog = load_catalog(session)
    main = catalog.tables[module.id].main
    statement = record_select(catalog, module, reader=SYSTEM)
    found: dict[str, Record] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows = session.execute(statement.where(main.c.id.in_(chunk))).mappings().all()
        children = children_of(session, catalog, module, [r["id"] for r in rows])
        for row in rows:
            found[row["id"]] = row_to_record(module, row, children[row["id"]])
    return found


def _queue(
    session: Session,
    hooks: list[Webhook],
    module: Module,
    event: str,
    records: Sequence[Record],
    actor: Actor,
    at: dt.datetime,
    extra: dict[str, Any],
) -> None:
    rows = []
    for record in records:
        document = {
            "event": event,
            "module": module.id,
            "occurred_at": at,
            "actor": actor.name,
            **extra,
            "record": record_document(module, record),
        }
        for hook in hooks:
            payload = {"id": str(uuid.uuid4()), "webhook": hook.id, **document}
            rows.append(
                WebhookMessage(
                    webhook_id=hook.id,
                    event=event,
                    module=module.id,
                    record_id=record.id,
                    payload=dumps(payload),
                    status="pending",
                    attempts=0,
                    created_at=at,
                    next_attempt_at=at,
                )
            )
    session.add_all(rows)
    session.flush()


def record_event(
    session: Session,
    module: Module,
    event: str,
    records: Sequence[Record | str],
    actor: Actor,
    *,
    at: dt.datetime | None = None,
    changes: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Queue `created`, `updated` or `deleted` for the records (Records, or ids to load).

    Costs one indexed query when no webhook listens, so every write can call it.
    """
    hooks = _subscribers(session, module.id, event)
    if not hooks or not records:
        return
    ids = [r for r in records if isinstance(r, str)]
    loaded = _load(session, module, ids) if ids else {}
    resolved = [
        r if isinstance(r, Record) else loaded[r]
        for r in records
        if not isinstance(r, str) or r in loaded
    ]
    extra: dict[str, Any] = {}
    if changes is not None:
        extra["changes"] = [dict(c) for c in changes]
    _queue(session, hooks, module, event, resolved, actor, at or _now(), extra)


def transition_event(
    session: Session,
    module: Module,
    record: Record,
    transition: str,
    actor: Actor,
    comment: str | None = None,
    *,
    at: dt.datetime | None = None,
) -> None:
    """Queue `transition` and `state_entered` for a record that has just entered its state.

    The state it left is read from the history row the transition wrote.
    """
    hooks = {
        event: _subscribers(session, module.id, event) for event in ("transition", "state_entered")
    }
    if not any(hooks.values()):
        return
    entry = session.scalar(
        select(HistoryEntry)
        .where(
            HistoryEntry.module == module.id,
            HistoryEntry.record_id == record.id,
            HistoryEntry.action == "transition",
        )
        .order_by(HistoryEntry.id.desc())
        .limit(1)
    )
    extra = {
        "transition": transition,
        "from": entry.from_state if entry is not None else None,
        "to": record.state,
        "comment": comment,
    }
    for event, subscribed in hooks.items():
        if subscribed:
            _queue(session, subscribed, module, event, [record], actor, at or _now(), extra)


# -- signing -------------------------------------------------------------------------------


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


# -- delivery ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What a receiver answered, or why there was no answer."""

    status: int | None
    body: str = ""
    error: str | None = None

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
        super().__init__(host, address[1], timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection(self._address, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def send(url: str, body: bytes, headers: dict[str, str], allow_private: bool) -> Answer:
    """POST `body` to `url` once: no redirects, TIMEOUT seconds, only to a checked address."""
    try:
        addresses = resolve_target(url, allow_private=allow_private)
    except UnsafeTarget as error:
        return Answer(None, error=f"refused: {error}")
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
    """Take due rows (leased for LEASE, so other workers skip them meanwhile)."""
    with transaction(session_factory) as session:
        statement = (
            select(WebhookMessage)
            .where(WebhookMessage.status == "pending", WebhookMessage.next_attempt_at <= now)
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
    now = now or _now()
    sender = sender or send
    report = DeliveryReport()
    for message_id, url, secret, payload, allow_private, attempts, event in _claim(
        session_factory, now, limit
    ):
        body = payload.encode("utf-8")
        timestamp = int(clock())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Formwork-Event": event,
            "X-Formwork-Delivery": str(message_id),
            "X-Formwork-Signature": signature(secret, timestamp, body),
        }
        started = time.monotonic()
        answer = sender(url, body, headers, allow_private)
        took = int((time.monotonic() - started) * 1000)
        with transaction(session_factory) as session:
            message = session.get(WebhookMessage, message_id)
            if message is None:  # pragma: no cover - deleted with its webhook meanwhile
                continue
            message.attempts = attempts + 1
            session.add(
                WebhookDelivery(
                    message_id=message.id,
                    webhook_id=message.webhook_id,
                    attempt=message.attempts,
                    at=now,
                    status_code=answer.status,
                    duration_ms=took,
                    error=answer.error
                    or (None if answer.ok else f"the receiver answered {answer.status}"),
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
            else:
                message.next_attempt_at = now + backoff(message.attempts)
                message.last_error = answer.error or f"HTTP {answer.status}"
                report.retrying.append(message.id)
    return report


def purge(session: Session, *, now: dt.datetime | None = None) -> int:
    """Forget finished events older than KEEP, with their delivery log; returns how many."""
    cutoff = (now or _now()) - KEEP
    finished = select(WebhookMessage.id).where(
        WebhookMessage.status != "pending", WebhookMessage.created_at < cutoff
    )
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.message_id.in_(finished)))
    result = session.execute(
        delete(WebhookMessage).where(
            WebhookMessage.status != "pending", WebhookMessage.created_at < cutoff
        )
    )
    return int(result.rowcount or 0)
