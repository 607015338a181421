"""The administrators' trail: every pack, user, role, grant, token, webhook and notification
channel change, and each notification an administrator sent again.

Written by the engine function that makes the change, in the same transaction, so the
command line, the API and the admin pages leave the same row and a change that rolls back
leaves none. Rows are only inserted (database triggers refuse the rest); a record's own
history stays in engine/audit.py. `actor` None means the command line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import history_value
from engine.models import AdminEvent

# Every action the trail knows, grouped by what it acts on (the audit page filters by them).
ACTIONS: dict[str, tuple[str, ...]] = {
    "pack": ("pack.import", "pack.restore"),
    "user": (
        "user.create",
        "user.deactivate",
        "user.reactivate",
        "user.password",
        "user.roles",
        "user.update",
    ),
    "grant": ("grant.add", "grant.remove"),
    "token": ("token.create", "token.revoke"),
    "webhook": (
        "webhook.add",
        "webhook.pause",
        "webhook.resume",
        "webhook.remove",
        "webhook.redeliver",
    ),
    "channel": ("channel.save",),  # a notification channel turned on or off, its robot set
    "notification": ("notification.resend",),  # a failed or dropped send sent again
}
ALL_ACTIONS = frozenset(a for group in ACTIONS.values() for a in group)
PER_PAGE = 50


def log_admin_action(
    session: Session,
    actor: str | None,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
) -> AdminEvent:
    """Append one event; `before` and `after` are kept as JSON (decimals and dates as text)."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown admin action {action!r}")
    event = AdminEvent(
        actor=actor,
        action=action,
        target=target[:200],
        before=history_value(before),
        after=history_value(after),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class TrailQuery:
    """Which events to show: by actor, by action (or its group: "user"), target text, dates."""

    actor: str | None = None
    action: str | None = None
    target: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    page: int = 1
    per_page: int = PER_PAGE
    zone: dt.tzinfo = dt.UTC  # where the dates' days begin and end (the firm's time zone)


@dataclass(frozen=True)
class TrailPage:
    events: list[AdminEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def admin_events(session: Session, query: TrailQuery) -> TrailPage:
    """The events matching `query`, newest first, one page of them and the total."""
    conditions = []
    if query.actor:
        conditions.append(AdminEvent.actor == query.actor)
    if query.action in ACTIONS:
        conditions.append(AdminEvent.action.in_(ACTIONS[query.action]))
    elif query.action:
        conditions.append(AdminEvent.action == query.action)
    if query.target:
        conditions.append(AdminEvent.target.icontains(query.target, autoescape=True))
    if query.since:
        start = dt.datetime.combine(query.since, dt.time(), query.zone).astimezone(dt.UTC)
        conditions.append(AdminEvent.at >= start)
    if query.until:
        next_day = query.until + dt.timedelta(days=1)
        end = dt.datetime.combine(next_day, dt.time(), query.zone).astimezone(dt.UTC)
        conditions.append(AdminEvent.at < end)
    total = session.scalar(select(func.count()).select_from(AdminEvent).where(*conditions)) or 0
    page = max(1, query.page)
    rows = session.scalars(
        select(AdminEvent)
        .where(*conditions)
        .order_by(AdminEvent.id.desc())
        .limit(query.per_page)
        .offset((page - 1) * query.per_page)
    )
    return TrailPage(list(rows), total, page, query.per_page)
