"""The outbox: one row per (event, webhook), written in the transaction of the change.

The records service and the workflow call `record_event` / `transition_event`; the event
exists if and only if the change does, and the user's request never waits for a receiver.
Payloads are JSON with decimals exact, as in the API. `purge` forgets finished events.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor
from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.exactjson import dumps, record_document
from engine.models import HistoryEntry, Webhook, WebhookDelivery, WebhookMessage, utcnow
from engine.records.model import Record
from engine.records.reading import children_of, record_select, row_to_record

KEEP = dt.timedelta(days=30)  # delivered, failed and cancelled events and their log


def _subscribers(session: Session, module_id: str, event: str) -> list[Webhook]:
    rows = session.scalars(
        select(Webhook).where(
            # paused webhooks too: their rows wait for them (engine/webhooks/registrations.py)
            Webhook.removed_at.is_(None),
            or_(Webhook.module == module_id, Webhook.module.is_(None)),
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
    _queue(session, hooks, module, event, resolved, actor, at or utcnow(), extra)


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
            _queue(session, subscribed, module, event, [record], actor, at or utcnow(), extra)


def purge(session: Session, *, now: dt.datetime | None = None) -> int:
    """Forget finished events older than KEEP, with their delivery log; returns how many."""
    cutoff = (now or utcnow()) - KEEP
    finished = select(WebhookMessage.id).where(
        WebhookMessage.status != "pending", WebhookMessage.created_at < cutoff
    )
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.message_id.in_(finished)))
    statement = delete(WebhookMessage).where(
        WebhookMessage.status != "pending", WebhookMessage.created_at < cutoff
    )
    result = cast("CursorResult[Any]", session.execute(statement))  # a DML result
    return int(result.rowcount or 0)
