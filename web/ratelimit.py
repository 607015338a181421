"""Where Flask-Limiter keeps its counters: the database by default, Redis when configured.

Flask-Limiter (through the `limits` library) finds a storage by the scheme of a URI. This
module registers one more scheme, `formwork+db://`, whose counters live in the engine's
`rate_limit_counters` table (engine/ratelimit.py), so every worker and server shares the
sign-in limit with no extra service. `FORMWORK_RATE_LIMIT_STORAGE=redis://host:6379/0`
(with the `redis` package installed) puts them in Redis instead, through limits' own
Redis storage. Only fixed windows are offered, which is what the sign-in limit uses.
"""

from __future__ import annotations

from typing import Any

from limits.storage import Storage
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from engine import ratelimit
from engine.db import transaction
from engine.models import utcnow

DATABASE_STORAGE = "formwork+db://"
REDIS_TIMEOUT = 2  # seconds


class DatabaseStorage(Storage):
    """A `limits` storage over the engine's counters table; give it `session_factory`."""

    STORAGE_SCHEME = ["formwork+db"]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        session_factory: sessionmaker[Session] | None = None,
        **options: Any,
    ) -> None:
        if session_factory is None:
            raise ValueError("the formwork+db rate-limit storage needs a session_factory")
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.session_factory = session_factory

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with transaction(self.session_factory) as session:
            hits = ratelimit.hit(session, key, int(expiry), amount)
        if hits == amount:  # a new window: a good moment to drop the lapsed ones
            self.purge_lapsed()
        return hits

    def get(self, key: str) -> int:
        with self.session_factory() as session:
            return ratelimit.count(session, key)

    def get_expiry(self, key: str) -> float:
        with self.session_factory() as session:
            return ratelimit.window_end(session, key).timestamp()

    def check(self) -> bool:
        try:
            with self.session_factory() as session:
                return ratelimit.healthy(session)
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with transaction(self.session_factory) as session:
            return ratelimit.purge(session)

    def clear(self, key: str) -> None:
        with transaction(self.session_factory) as session:
            ratelimit.clear(session, key)

    def purge_lapsed(self) -> int:
        """Remove counters whose window has ended, so the table stays small."""
        with transaction(self.session_factory) as session:
            return ratelimit.purge(session, utcnow())


def storage_settings(config: Any, session_factory: sessionmaker[Session]) -> dict[str, Any]:
    """Flask-Limiter's storage arguments for this app's configuration.

    A Redis that does not answer must not stall sign-in: its calls time out after
    REDIS_TIMEOUT seconds and the limit falls back to this process's memory meanwhile.
    """
    uri = str(config.get("FORMWORK_RATE_LIMIT_STORAGE") or "").strip()
    if not uri or uri == DATABASE_STORAGE:
        return {
            "storage_uri": DATABASE_STORAGE,
            "storage_options": {"session_factory": session_factory},
        }
    options: dict[str, Any] = {}
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        options = {"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT}
    return {"storage_uri": uri, "storage_options": options, "in_memory_fallback_enabled": True}
