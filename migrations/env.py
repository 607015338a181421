"""Alembic environment for the engine's own tables (engine.models.Base.metadata).

Module tables (`m_<module>` and `m_<module>__<field>`) are created and altered by
engine/storage when packs are installed, so this environment never reflects, compares or
drops them. SQLite runs migrations in batch mode because it cannot alter most columns
in place. The database comes, in order, from a connection handed over by
`engine.migrate.upgrade_database`, from `sqlalchemy.url` in the Alembic config, or from
`DATABASE_URL` (see engine.db).
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection

from engine.db import database_url, make_engine
from engine.models import Base
from engine.models_imports import ImportJob  # noqa: F401  (its table, on Base.metadata)
from engine.models_notifications import Notification  # noqa: F401  (the notification tables)

# module tables, and the flag that holds the rollup triggers in a batch (engine/records/rollups)
MODULE_TABLE_PREFIX = ("m_", "fw_rollup_")

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and not config.attributes.get("keep_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Leave module tables alone: they belong to the packs, not to this schema."""
    if type_ == "table" and name is not None:
        return not name.startswith(MODULE_TABLE_PREFIX)
    return True


def include_object(obj: Any, name: str | None, type_: str, _reflected: bool, _compare: Any) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(MODULE_TABLE_PREFIX)
    table = getattr(obj, "table", None)  # indexes and constraints follow their table
    return table is None or not table.name.startswith(MODULE_TABLE_PREFIX)


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    dialect = connection.dialect.name if connection is not None else (url or "").split(":")[0]
    context.configure(
        connection=connection,
        url=url if connection is None else None,
        target_metadata=target_metadata,
        include_name=include_name,
        include_object=include_object,
        render_as_batch=dialect.startswith("sqlite"),
        compare_type=True,
        literal_binds=connection is None,
        dialect_opts={"paramstyle": "named"} if connection is None else {},
    )


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or database_url()


def run_migrations_offline() -> None:
    """Write the SQL to standard output instead of running it (`alembic upgrade --sql`)."""
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
