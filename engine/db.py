"""Database connections: one place that knows SQLite from PostgreSQL.

SQLite gets WAL and foreign keys. Its write lock is one per database, so only write
transactions take it up front (`BEGIN IMMEDIATE`: two writers queue instead of failing half
way); read transactions begin with a plain `BEGIN` and run side by side, each on its own
WAL snapshot. A read that turns out to write (a sign-in's once-a-minute "last seen") takes
the lock at its first write statement. Any transaction may carry a time budget: SQLite stops
a statement past it from a progress handler, PostgreSQL from `statement_timeout`; both end
as `TimeBudgetExceeded`, so a slow request is cut off instead of holding a worker.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import FormworkError

DEFAULT_URL = "sqlite:///instance/formwork.db"
MODE = "formwork_mode"  # execution option: "read" or "write" (the default)
# Statements that leave a read transaction reading (the rest write, or might).
READ_ONLY_STARTS: tuple[str, ...] = ("SELECT", "PRAGMA", "EXPLAIN", "WITH", "BEGIN", "COMMIT")
READ_ONLY_STARTS += ("ROLLBACK", "SAVEPOINT", "RELEASE")
PROGRESS_STEPS = 10_000  # SQLite VM steps between two looks at the clock (~1 ms)
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by its timeout
NUMERIC_OUT_OF_RANGE = "22003"  # PostgreSQL's SQLSTATE for numeric overflow
# SQLite reports an overflowing integer sum with its generic SQLITE_ERROR code; this fixed
# text of sqlite3.c (sumFinalize) is the only thing that tells it from other errors.
SQLITE_OVERFLOW = ("SQLITE_ERROR", "integer overflow")


class TimeBudgetExceeded(FormworkError):
    """The request's database work ran past its time budget; nothing of it was kept."""

    def __init__(self, budget: float):
        self.budget = budget
        super().__init__(f"the request took longer than its time budget of {budget:g} s")


class OutOfRange(FormworkError):
    """A sum or a computed number the database cannot hold; nothing of the work was kept."""

    def __init__(self) -> None:
        super().__init__("a sum or a computed number is out of the database's range")


def database_url() -> str:
    """The configured database URL (`DATABASE_URL`), SQLite under instance/ by default."""
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine with the settings Formwork relies on for each backend."""
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages instead of 2 MiB
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read = connection.get_execution_options().get(MODE) == "read"
        connection.info[MODE] = "read" if read else "write"
        connection.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(
        connection: Connection,
        cursor: Any,
        statement: str,
        _params: Any,
        context: Any,
        _many: bool,
    ) -> None:
        if connection.info.get(MODE) != "read" or not connection.in_transaction():
            return
        if _writes(statement, context):
            # Leave the read snapshot and queue for the write lock like any writer; what
            # was read before is milliseconds old, and this is the rare read that writes.
            connection.info[MODE] = "write"
            cursor.execute("COMMIT")
            cursor.execute("BEGIN IMMEDIATE")


def _writes(statement: str, context: Any) -> bool:
    if context is not None and (
        context.isinsert or context.isupdate or context.isdelete or context.isddl
    ):
        return True
    return not statement.lstrip().upper().startswith(READ_ONLY_STARTS)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(
    factory: sessionmaker[Session], *, write: bool = True, budget: float | None = None
) -> Iterator[Session]:
    """A session whose work commits on success and rolls back entirely on any error.

    `write=False` is for work that only reads (pages and API calls with GET): on SQLite it
    does not take the write lock. `budget` (seconds) bounds the transaction's database time.
    """
    options = {} if write else {MODE: "read"}
    with factory(execution_options=options) as session, session.begin():
        sqlite = None if budget is None else _start_budget(session, budget)
        try:
            yield session
        except DBAPIError as error:
            if budget is not None and _ran_out(error):
                raise TimeBudgetExceeded(budget) from error
            if _overflowed(error):
                raise OutOfRange() from error
            raise
        finally:
            if sqlite is not None:
                sqlite.set_progress_handler(None, 0)


def _start_budget(session: Session, budget: float) -> Any:
    """Arm the budget on the session's connection; the raw SQLite connection, else None."""
    deadline = time.monotonic() + budget
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(budget * 1000))}")
        return None
    raw: Any = connection.connection.driver_connection  # sqlite3.Connection here
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
    return raw


def _ran_out(error: DBAPIError) -> bool:
    """Whether `error` is the database stopping a statement at the budget (by its code)."""
    if getattr(error.orig, "sqlstate", None) == QUERY_CANCELED:
        return True
    return getattr(error.orig, "sqlite_errorname", None) == "SQLITE_INTERRUPT"


def _overflowed(error: DBAPIError) -> bool:
    """Whether `error` is the database refusing a number too large for it (a sum, a product)."""
    if getattr(error.orig, "sqlstate", None) == NUMERIC_OUT_OF_RANGE:
        return True
    name = getattr(error.orig, "sqlite_errorname", None)
    return (name, str(error.orig)) == SQLITE_OVERFLOW


def is_sqlite(session_or_engine: Session | Engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "sqlite"
