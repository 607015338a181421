"""Idempotency keys: a retried write gets the first answer again and writes nothing twice.

A client that sends a batch and loses the connection cannot know whether it was written.
With an `Idempotency-Key` it simply sends the same request again: the key is claimed in the
transaction of the write, the response is stored in that same transaction, so either both
the records and the stored answer exist or neither does. A retry with the same key and the
same request replays the stored answer; the same key with a different request is refused.
Two requests racing with one key meet at the unique index: the second waits for the first
and then gets a conflict, never a second write. Keys are kept for KEEP (24 hours).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import Conflict, Problem, ValidationFailed
from engine.models import IdempotencyKey

KEEP = dt.timedelta(hours=24)
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as HTTP header tokens
HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class StoredResponse:
    """The answer given to the first request with a key."""

    status: int
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same": method, path (with query) and body bytes."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def claim(
    session: Session,
    user_id: int,
    key: str,
    request_fingerprint: str,
    *,
    now: dt.datetime | None = None,
) -> StoredResponse | None:
    """The stored answer of an earlier request with this key, or None: the key is now ours.

    Raises ValidationFailed for a malformed key or one used for a different request, and
    Conflict when another request holding the key is still running.
    """
    if not KEY_PATTERN.match(key):
        raise ValidationFailed([Problem("", "idempotency_key_invalid", {"header": HEADER})])
    now = now or dt.datetime.now(dt.UTC)
    row = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    if row is not None and now - _aware(row.created_at) > KEEP:
        session.delete(row)
        session.flush()
        row = None
    if row is not None:
        if row.fingerprint != request_fingerprint:
            raise ValidationFailed([Problem("", "idempotency_key_reused", {"header": HEADER})])
        if row.status is None or row.response is None:
            raise Conflict(code="idempotency_key_running", header=HEADER)
        return StoredResponse(row.status, row.response)
    try:
        with session.begin_nested():
            session.add(
                IdempotencyKey(
                    user_id=user_id, key=key, fingerprint=request_fingerprint, created_at=now
                )
            )
    except IntegrityError:
        raise Conflict(code="idempotency_key_running", header=HEADER) from None
    return None


def remember(session: Session, user_id: int, key: str, status: int, body: str) -> None:
    """Store the answer of the request that claimed `key` (same transaction as its writes)."""
    row = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    if row is None:  # pragma: no cover - claim() always ran first in this transaction
        raise Conflict(code="idempotency_key_unclaimed", header=HEADER, key=key)
    row.status = status
    row.response = body
    session.flush()


def purge(session: Session, *, now: dt.datetime | None = None) -> int:
    """Forget keys older than KEEP; returns how many."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - KEEP
    statement = delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)
    result = cast("CursorResult[Any]", session.execute(statement))  # a DML result
    return int(result.rowcount or 0)
