"""Webhooks: registrations, the outbox, signed delivery with retries, and the delivery log.

An administrator registers a URL for events of a module (or of every module): `created`,
`updated`, `deleted`, `transition` (a transition fired) and `state_entered`
(`registrations`). When a record changes, the records service and the workflow call
`record_event` / `transition_event`, which write one outbox row per matching webhook *in
the transaction of the change* (`outbox`). `deliver_due` (run by `formwork tick` and
`formwork worker`) sends what is due, each attempt outside any database transaction, signed
and logged (`delivery`), only to public addresses unless allowed (`targets`). A webhook can
be paused (its events wait) and resumed; an administrator reads the log a page at a time,
sends one event again, or pings the receiver now (`log`).

Callers import from here; the submodules are split by concept, not by caller.
"""

from __future__ import annotations

from engine.webhooks.delivery import (
    BACKOFF,
    LEASE,
    MAX_ATTEMPTS,
    MAX_BACKOFF,
    TIMEOUT,
    Answer,
    DeliveryReport,
    Sender,
    backoff,
    deliver_due,
    list_deliveries,
    send,
    signature,
    verify_signature,
)
from engine.webhooks.log import (
    LogPage,
    LogRow,
    PingResult,
    Standing,
    message_log,
    redeliver,
    send_ping,
    standings,
)
from engine.webhooks.outbox import KEEP, purge, record_event, transition_event
from engine.webhooks.registrations import (
    EVENTS,
    MAX_ID,
    add_webhook,
    get_webhook,
    list_webhooks,
    live_webhook,
    pause_webhook,
    remove_webhook,
    resume_webhook,
)

__all__ = [
    "BACKOFF",
    "EVENTS",
    "KEEP",
    "LEASE",
    "MAX_ATTEMPTS",
    "MAX_BACKOFF",
    "MAX_ID",
    "TIMEOUT",
    "Answer",
    "DeliveryReport",
    "LogPage",
    "LogRow",
    "PingResult",
    "Sender",
    "Standing",
    "add_webhook",
    "backoff",
    "deliver_due",
    "get_webhook",
    "list_deliveries",
    "list_webhooks",
    "live_webhook",
    "message_log",
    "pause_webhook",
    "purge",
    "record_event",
    "redeliver",
    "remove_webhook",
    "resume_webhook",
    "send",
    "send_ping",
    "signature",
    "standings",
    "transition_event",
    "verify_signature",
]
