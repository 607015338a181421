"""Indexes a newer engine declares for tables an older one created.

`formwork init-db` runs the migrations; one of them (0010) asks here for every index the
installed modules' tables should have and creates those the database lacks — a link column
of a child table (`m_goods_receipt__lines.material`) is indexed from that revision on. A
pack import plans its own indexes (engine/storage.py); this covers databases whose packs
were installed before.
"""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engine.catalog import load_catalog


def create_missing_indexes(connection: Connection) -> list[str]:
    """Create each declared index of the installed modules' tables that is missing; returns
    their names."""
    catalog = load_catalog(Session(bind=connection))
    inspector = inspect(connection)
    ops = Operations(MigrationContext.configure(connection=connection))
    created: list[str] = []
    for tables in catalog.tables.values():
        for table in tables.all():
            present = {ix["name"] for ix in inspector.get_indexes(table.name)}
            for index in table.indexes:
                if index.name is None or index.name in present:
                    continue
                names = [c.name for c in index.columns]
                ops.create_index(index.name, table.name, names, unique=index.unique)
                created.append(index.name)
    return created
