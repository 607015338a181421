"""Fixed-window rate-limit counters in the database, shared by every worker and server.

A limit kept in one process's memory is multiplied by the number of processes (and reset
by every restart); kept here, ten sign-in attempts a minute mean ten, however many
gunicorn workers and machines answer. Each hit is one upsert that restarts a lapsed
window or adds to the running one and returns the new count, so two workers counting at
once never lose a hit (PostgreSQL and SQLite both serialise the row). The web layer plugs
these functions into Flask-Limiter as a storage backend (web/ratelimit.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models import RateLimitCounter, aware, utcnow

MAX_KEY_LENGTH = 255


def hit(
    session: Session, key: str, expiry: int, amount: int = 1, now: datetime | None = None
) -> int:
    """Count `amount` hits on `key` in a window of `expiry` seconds; the count so far."""
    now = now or utcnow()
    key = key[:MAX_KEY_LENGTH]
    ends = now + timedelta(seconds=expiry)
    lapsed = RateLimitCounter.expires_at <= now
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(RateLimitCounter)
        .values(key=key, count=amount, expires_at=ends)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "count": case((lapsed, amount), else_=RateLimitCounter.count + amount),
                "expires_at": case((lapsed, ends), else_=RateLimitCounter.expires_at),
            },
        )
        .returning(RateLimitCounter.count)
    )
    return int(session.execute(statement).scalar_one())


def count(session: Session, key: str, now: datetime | None = None) -> int:
    """Hits on `key` in its current window (0 when the window has lapsed)."""
    now = now or utcnow()
    row = session.get(RateLimitCounter, key[:MAX_KEY_LENGTH])
    if row is None or aware(row.expires_at) <= now:
        return 0
    return row.count


def window_end(session: Session, key: str, now: datetime | None = None) -> datetime:
    """When the current window of `key` ends (now, when there is none)."""
    now = now or utcnow()
    row = session.get(RateLimitCounter, key[:MAX_KEY_LENGTH])
    return max(aware(row.expires_at), now) if row is not None else now


def clear(session: Session, key: str) -> None:
    """Forget the counter of one key."""
    session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key[:MAX_KEY_LENGTH]))


def purge(session: Session, now: datetime | None = None) -> int:
    """Remove lapsed counters (or all, for a reset); how many went."""
    statement = delete(RateLimitCounter)
    if now is not None:
        statement = statement.where(RateLimitCounter.expires_at <= now)
    result = cast("CursorResult[Any]", session.execute(statement))  # a DML result
    return int(result.rowcount or 0)


def healthy(session: Session) -> bool:
    """True when the counters table answers."""
    session.execute(select(RateLimitCounter.key).limit(1))
    return True
