"""`formwork records rebuild-rollups`: stored rollups recomputed from the records."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine.actor import SYSTEM, actor
from engine.db import make_engine, make_session_factory, transaction
from engine.packs import import_pack
from engine.records import create_record, get_record
from tests.engine.rollup_pack import rollup_pack
from web.cli import cli


@pytest.fixture
def site(database_url: str):
    """A project with one tally of 8 h × 10.00, its stored figures then spoilt by hand."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        import_pack(session, rollup_pack(parent_where=False))
        project = create_record(session, "project", {"code": "P1", "name": "One"}, SYSTEM)
        items = [{"task": "tie bars", "hours": "8", "rate": "10"}]
        tally = {"project": project.id, "date": "2026-03-02", "worker": "Wang", "items": items}
        create_record(session, "labour", tally, actor("lee", "foreman"))
        session.execute(text("update m_project set tally_count = 7, biggest = 1"))
    yield factory, project.id
    engine.dispose()


def run(database_url: str, *args: str):
    runner = CliRunner(env={"DATABASE_URL": database_url})
    return runner.invoke(cli, ["records", "rebuild-rollups", *args], catch_exceptions=False)


def test_rebuild_puts_back_the_figures_the_records_give(database_url: str, site) -> None:
    factory, project_id = site
    result = run(database_url, "project")
    assert result.exit_code == 0, result.output
    assert "Recomputed 3 rollups of project." in result.stdout
    with transaction(factory) as session:
        record = get_record(session, "project", project_id, SYSTEM)
        assert record.data["tally_count"] == 1
        assert record.data["biggest"] == Decimal("80.00")


def test_rebuild_of_an_unknown_module_changes_nothing(database_url: str, site) -> None:
    factory, project_id = site
    result = run(database_url, "projekt")
    assert result.exit_code == 1
    assert "projekt" in result.stderr
    with transaction(factory) as session:
        assert get_record(session, "project", project_id, SYSTEM).data["tally_count"] == 7
