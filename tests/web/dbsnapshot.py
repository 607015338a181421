"""A copy of a test's database, put back in place as often as a test needs it.

A stateful fuzz run replays scenarios and expects each one to meet the same data: when the
scenarios share one database that each of them changes, a replayed scenario draws
differently and Hypothesis stops with "inconsistent data generation". `DatabaseSnapshot`
keeps the database as it was once the fixtures had set it up and restores it before each
scenario, on both backends, without the app noticing anything but a fresh connection:

- SQLite: the sqlite3 backup API copies the whole file, into a side file when taken and
  back into the live file (through its WAL, as any writer would) when restored;
- PostgreSQL: `CREATE DATABASE … TEMPLATE` keeps a copy under another name; restoring drops
  the live database and creates it again from that copy under its own name, so the app's
  URL stays right.

Either way the app's connection pool is emptied first, so no connection keeps a view of the
old contents (and PostgreSQL allows no session on a template or a dropped database).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from engine.db import make_engine


def _sqlite_copy(source: str, target: str) -> None:
    """Copy a whole SQLite database, page by page, into another (replacing its contents)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


class DatabaseSnapshot:
    """The contents of `engine`'s database when taken; `restore()` brings them back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        url: URL = engine.url
        self.name = url.database or ""
        self.sqlite = url.get_backend_name() == "sqlite"
        self._admin: Engine | None = None
        self._major: int | None = None
        if self.sqlite:
            self.copy = f"{self.name}.snapshot"
        else:
            self.copy = f"snap_{uuid.uuid4().hex[:16]}"
            server = url.set(database="postgres").render_as_string(hide_password=False)
            self._admin = make_engine(server, isolation_level="AUTOCOMMIT")
        self.engine.dispose()
        if self.sqlite:
            _sqlite_copy(self.name, self.copy)
        else:
            self._create(self.copy, template=self.name)

    def restore(self) -> None:
        """Put the database back as it was when taken; the app's next connection sees it."""
        self.engine.dispose()
        if self.sqlite:
            _sqlite_copy(self.copy, self.name)
            return
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._create(self.name, template=self.copy)

    def drop(self) -> None:
        """Remove the copy; the live database stays as the last scenario left it."""
        if self.sqlite:
            Path(self.copy).unlink(missing_ok=True)
            return
        self._execute(f'DROP DATABASE IF EXISTS "{self.copy}" WITH (FORCE)')
        assert self._admin is not None
        self._admin.dispose()

    def _create(self, name: str, *, template: str) -> None:
        # FILE_COPY (PostgreSQL 15+) copies a small database faster than the WAL_LOG default.
        strategy = " STRATEGY FILE_COPY" if self._server_major() >= 15 else ""
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')

    def _server_major(self) -> int:
        assert self._admin is not None
        if self._major is None:
            with self._admin.connect() as connection:
                self._major = int((connection.dialect.server_version_info or (0,))[0])
        return self._major

    def _execute(self, statement: str) -> None:
        assert self._admin is not None
        with self._admin.connect() as connection:
            connection.exec_driver_sql(statement)


@contextmanager
def database_snapshot(engine: Engine) -> Iterator[DatabaseSnapshot]:
    """A snapshot of `engine`'s database for the length of the block, removed afterwards."""
    snapshot = DatabaseSnapshot(engine)
    try:
        yield snapshot
    finally:
        snapshot.drop()
