"""Measuring tools of the benchmarks: a scratch database, a statement log, timings, memory.

Nothing here knows the labour tally; benchmarks/records.py puts these tools to work. They are
kept apart so a later benchmark (forms, reports, the API) measures the same way: calls timed
in turns against their baseline, a session per call as one web request would have, SQL
statements counted with a cursor event, Python memory traced with tracemalloc.
"""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from engine.db import make_engine

Statements = list[tuple[str, Any]]


# --- the database ---------------------------------------------------------------------------


@contextmanager
def scratch_database(url: str | None, keep: bool = False) -> Iterator[str]:
    """A fresh database: a temporary SQLite file, a new SQLite file, or a new PostgreSQL one.

    For PostgreSQL, `url` names the server: a database `formwork_bench_<random>` is created
    there and dropped afterwards, so the database in the URL is never written to.
    """
    if url is None:
        folder = tempfile.mkdtemp(prefix="formwork-bench-")
        try:
            yield f"sqlite:///{folder}/bench.db"
        finally:
            if keep:
                print(f"kept the database in {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or os.path.exists(path):
            raise SystemExit(f"give the path of a new SQLite file, not {path or 'memory'!r}")
        yield url
        return
    name = f"formwork_bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield parsed.set(database=name).render_as_string(hide_password=False)
        finally:
            if keep:
                print(f"kept the database {name}")
            else:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def server_version(engine: Engine) -> str:
    """The server's name and version, such as SQLite 3.40.1 or PostgreSQL 15.8."""
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar_one()
    return f"PostgreSQL {str(version).split()[0]}"


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE after a bulk load (with VACUUM on PostgreSQL, which index-only scans need)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    raw = engine.raw_connection()
    try:
        # fold the write-ahead log back into the file, outside any transaction
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()


# --- statements -------------------------------------------------------------------------------


class StatementLog:
    """Records the SQL statements (text and parameters) an engine sends while switched on."""

    def __init__(self, engine: Engine):
        self.active = False
        self.statements: Statements = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if self.active:
            self.statements.append((statement, params))

    def capture(self, factory: sessionmaker[Session], call: Callable[[Session], Any]) -> Any:
        """Run `call` once in a session whose transaction is already open; log its statements.

        The transaction is begun first so its BEGIN is not counted as one of the call's.
        """
        with factory() as session:
            session.connection()
            self.statements = []
            self.active = True
            try:
                return call(session)
            finally:
                self.active = False


# --- timing -----------------------------------------------------------------------------------


@dataclass
class Timing:
    """Milliseconds of each run."""

    samples_ms: list[float] = field(default_factory=list)

    @property
    def min(self) -> float:
        return min(self.samples_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def max(self) -> float:
        return max(self.samples_ms)


def timed_ms(call: Callable[[], Any]) -> float:
    """Milliseconds `call` took."""
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def timed_cpu_ms(call: Callable[[], Any], cpu: Timing) -> float:
    """Milliseconds `call` took, as `timed_ms`; the CPU milliseconds this process spent on
    it are added to `cpu` (on a machine busy with other work, what the code itself costs)."""
    start = time.process_time()
    wall = timed_ms(call)
    cpu.samples_ms.append((time.process_time() - start) * 1000)
    return wall


def time_pair(
    first: Callable[[], Any], second: Callable[[], Any], runs: int, warmup: int
) -> tuple[Timing, Timing]:
    """Time two calls taking turns (A B A B …), so a drift of the machine hits both alike."""
    for _ in range(warmup):
        first()
        second()
    gc.collect()
    a, b = Timing(), Timing()
    for _ in range(runs):
        a.samples_ms.append(timed_ms(first))
        b.samples_ms.append(timed_ms(second))
    return a, b


def in_session(factory: sessionmaker[Session], call: Callable[[Session], Any]) -> Callable[[], Any]:
    """`call` in a session of its own, opened and closed around it, as one web request."""

    def run() -> Any:
        with factory() as session:
            return call(session)

    return run


# --- memory -----------------------------------------------------------------------------------


@dataclass
class Memory:
    """Traced Python memory while paging: what stays after each stretch, and the peaks.

    `retained_*` is measured after a full garbage collection, so it shows what accumulates;
    the peaks also hold garbage that was waiting for the cycle collector at that moment.
    """

    pages: int
    early_pages: int
    early_peak: int
    peak: int
    retained_early: int
    retained: int
    seconds: float

    @property
    def retained_growth(self) -> int:
        """Bytes kept after all pages beyond those kept after the first ones."""
        return self.retained - self.retained_early


def page_through(
    factory: sessionmaker[Session],
    pages: int,
    call: Callable[[Session, int], Any],
    early_pages: int = 10,
) -> Memory:
    """Call `call(session, page)` for every page, a session each, under tracemalloc."""
    early_pages = min(early_pages, pages)
    gc.collect()
    tracemalloc.start()
    early_peak = retained_early = 0
    began = time.perf_counter()
    try:
        for page in range(1, pages + 1):
            with factory() as session:
                call(session, page)
            if page == early_pages:
                early_peak = tracemalloc.get_traced_memory()[1]
                gc.collect()
                retained_early = tracemalloc.get_traced_memory()[0]
        peak = tracemalloc.get_traced_memory()[1]
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - began
    return Memory(pages, early_pages, early_peak, peak, retained_early, retained, seconds)
