"""Bring a database to the current schema of the engine's own tables, from code.

`formwork init-db`, the test fixtures and anyone embedding the engine call
`upgrade_database`; it runs the same Alembic scripts as the `alembic` command, found next to
the installed code (the `migrations` package), so it works from any working directory and
needs no alembic.ini. Upgrading a database that is already current changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import migrations
from engine.db import make_engine


def alembic_config() -> Config:
    """An Alembic config pointing at the bundled migration scripts, without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.attributes["keep_logging"] = True
    return config


def head_revision() -> str:
    """The revision the scripts lead to: what a fully migrated database reports."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the scripts always hold a revision
        raise RuntimeError("no migration scripts found")
    return head


def upgrade_database(url_or_engine: str | Engine) -> str:
    """Run every pending migration (Alembic `upgrade head`); return the revision reached."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return current_revision(engine) or head_revision()
    finally:
        if engine is not url_or_engine:
            engine.dispose()


def current_revision(url_or_engine: str | Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if engine is not url_or_engine:
            engine.dispose()
