"""A link column of a child table is indexed: rows are found by the record they point at.

A pack installed now gets the index with its child table; a database whose packs were
installed before gets it at `formwork init-db` (migration 0010). The tally lines' `material`
column (tests/engine/test_rollups_child_rows.py) is the example.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from engine.actor import SYSTEM
from engine.db import transaction
from engine.migrate import alembic_config, upgrade_database
from engine.packs import import_pack
from engine.records import create_record
from tests.engine.test_rollups_child_rows import material_pack
from tests.later_tables import LATER_TABLES

LINES = "m_labour__items"


def indexed(connection) -> list[list[str]]:
    return [ix["column_names"] for ix in inspect(connection).get_indexes(LINES)]


def test_a_child_tables_link_column_is_indexed_at_install(session) -> None:
    import_pack(session, material_pack())
    assert ["material"] in indexed(session.connection())
    assert ["task"] not in indexed(session.connection())  # text columns are not


def test_a_database_from_before_gets_the_index_at_init_db(session_factory, engine) -> None:
    with transaction(session_factory) as session:
        import_pack(session, material_pack())
        create_record(session, "material", {"name": "cement"}, SYSTEM)
    with engine.begin() as connection:  # as an installation left it before this revision
        for index in inspect(connection).get_indexes(LINES):
            connection.exec_driver_sql(f"DROP INDEX {index['name']}")
        config = alembic_config()
        config.attributes["connection"] = connection
        for later in LATER_TABLES:  # made by later revisions
            connection.exec_driver_sql(f"DROP TABLE {later}")
        command.stamp(config, "0009")
    upgrade_database(engine)
    with engine.connect() as connection:
        assert ["material"] in indexed(connection)
