"""A copy of a test's database, put back in place as often as a test needs it.

A stateful fuzz run replays scenarios and expects each one to meet the same data: when the
scenarios share one database that each of them changes, a replayed scenario draws
differently and Hypothesis stops with "inconsistent data generation". `database_snapshot`
keeps the database as it was once the fixtures had set it up, and `restore()` brings it
back before each scenario, in milliseconds, on both backends:

- SQLite: the sqlite3 backup API copies the whole file into a side file, and back into the
  live file (through its WAL, as any writer would) with the app's pool emptied first, so no
  connection keeps pages of the old contents;
- PostgreSQL: the rows of every table are copied into a schema of their own; a restore
  empties the tables and copies the rows back in one transaction (foreign keys checked by
  no trigger meanwhile, as the rows were consistent when copied) and sets each sequence
  where it was: about 15 ms, where re-creating the database from a template costs 0.2 s
  of checkpoints a scenario.

Both keep what a restore must not touch — the tables themselves, their indexes and the
catalog the app has compiled — so the app only notices the rows.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, text


class DatabaseSnapshot(Protocol):
    def restore(self) -> None:
        """Put the database back as it was when taken; the app's next query sees it."""

    def drop(self) -> None:
        """Remove the copy; the live database stays as the last restore or change left it."""


def _sqlite_copy(source: str, target: str) -> None:
    """Copy a whole SQLite database, page by page, into another (replacing its contents)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


class SqliteSnapshot:
    """The database file as it was when taken, in a side file next to it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.live = engine.url.database or ""
        self.copy = f"{self.live}.snapshot"
        engine.dispose()
        _sqlite_copy(self.live, self.copy)

    def restore(self) -> None:
        self.engine.dispose()
        _sqlite_copy(self.copy, self.live)

    def drop(self) -> None:
        Path(self.copy).unlink(missing_ok=True)


class PostgresSnapshot:
    """The rows of every table of the `public` schema, and its sequences, when taken."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.schema = f"snapshot_{uuid.uuid4().hex[:12]}"
        with engine.begin() as connection:
            self.tables = list(
                connection.scalars(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
            )
            # last_value is NULL while a sequence has given no value: setval(.., false) then.
            self.sequences = connection.execute(
                text(
                    "SELECT sequencename, coalesce(last_value, start_value), last_value IS NOT NULL"
                    " FROM pg_sequences WHERE schemaname = 'public'"
                )
            ).all()
            connection.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
            for table in self.tables:
                connection.exec_driver_sql(
                    f'CREATE TABLE "{self.schema}"."{table}" AS TABLE public."{table}"'
                )

    def restore(self) -> None:
        with self.engine.begin() as connection:
            # Rows go out and back in any order: no foreign-key trigger fires meanwhile.
            # DELETE, not TRUNCATE: a few rows a table go faster than new files for each.
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in self.tables:
                connection.exec_driver_sql(f'DELETE FROM public."{table}"')
            for table in self.tables:
                connection.exec_driver_sql(
                    f'INSERT INTO public."{table}" TABLE "{self.schema}"."{table}"'
                )
            for name, value, called in self.sequences:
                connection.execute(
                    text("SELECT setval(:name, :value, :called)"),
                    {"name": f'public."{name}"', "value": value, "called": called},
                )

    def drop(self) -> None:
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{self.schema}" CASCADE')


@contextmanager
def database_snapshot(engine: Engine) -> Iterator[DatabaseSnapshot]:
    """A snapshot of `engine`'s database for the length of the block, removed afterwards."""
    sqlite = engine.url.get_backend_name() == "sqlite"
    snapshot: DatabaseSnapshot = SqliteSnapshot(engine) if sqlite else PostgresSnapshot(engine)
    try:
        yield snapshot
    finally:
        snapshot.drop()
