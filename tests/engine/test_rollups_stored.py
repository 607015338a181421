"""Stored rollups: a column kept current by every write, in the write's own transaction.

A foreman's tally moves its project's total when it is created, edited, moved to another
project, approved or deleted; the portfolio over the projects follows; a total limited to
the project's current week follows the project's week; lists sort, filter and total by the
stored figure; an upgrade fills a new rollup; and a rebuild finds nothing to change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from engine.actor import SYSTEM, actor
from engine.errors import DefinitionError
from engine.packs import import_pack
from engine.records import (
    ListQuery,
    create_record,
    delete_record,
    get_record,
    list_records,
    update_record,
)
from engine.records.query import parse_list_params
from engine.records.rollups import rebuild_rollups
from engine.records.service import create_records
from engine.workflow import apply_transition
from tests.engine.rollup_pack import rollup_pack
from tests.engine.sample_pack import module
from tests.later_tables import LATER_TABLES

FOREMAN = actor("lee", "foreman")
MANAGER = actor("ann", "site_manager")


def tally(project: str, hours: str, date: str = "2026-03-02", rate: str = "10") -> dict[str, Any]:
    items = [{"task": "tie bars", "hours": hours, "rate": rate}]
    data = {"project": project, "date": date, "worker": "Wang", "items": items}
    return {**data, "overtime_reason": "late pour"} if Decimal(hours) > 8 else data


def stored(session: Any, table: str, record_id: str, column: str) -> Any:
    """The figure as the database holds it, not as a read computes it."""
    return session.execute(
        text(f"select {column} from {table} where id = :i"), {"i": record_id}
    ).scalar_one()


@pytest.fixture
def site(session):
    import_pack(session, rollup_pack())
    north = create_record(session, "portfolio", {"name": "North"}, SYSTEM)
    p1, p2 = (
        create_record(
            session,
            "project",
            {"code": c, "name": c, "portfolio": north.id, "week_start": "2026-03-02"},
            SYSTEM,
        )
        for c in ("P1", "P2")
    )
    return north, p1, p2


def approve(session, record_id: str) -> None:
    apply_transition(session, "labour", record_id, "submit", FOREMAN)
    apply_transition(session, "labour", record_id, "approve", SYSTEM)


def test_a_tally_moves_its_projects_totals_on_every_write(session, site):
    north, p1, p2 = site
    assert get_record(session, "project", p1.id, SYSTEM).data["actual"] == Decimal("0.00")
    first = create_record(session, "labour", tally(p1.id, "8"), FOREMAN)
    assert stored(session, "m_project", p1.id, "tally_count") == 1
    assert get_record(session, "project", p1.id, SYSTEM).data["actual"] == Decimal("0.00")
    approve(session, first.id)  # entering the `where`: approved only
    assert get_record(session, "project", p1.id, SYSTEM).data["actual"] == Decimal("80.00")
    assert get_record(session, "portfolio", north.id, SYSTEM).data["actual"] == Decimal("80.00")
    second = create_record(session, "labour", tally(p1.id, "2"), FOREMAN)
    update_record(session, "labour", second.id, 1, tally(p2.id, "3"), FOREMAN)  # relinked
    assert stored(session, "m_project", p1.id, "tally_count") == 1
    assert stored(session, "m_project", p2.id, "tally_count") == 1
    assert get_record(session, "project", p2.id, SYSTEM).data["biggest"] == Decimal("30.00")
    approve(session, second.id)
    assert get_record(session, "portfolio", north.id, SYSTEM).data["actual"] == Decimal("110.00")
    assert get_record(session, "portfolio", north.id, SYSTEM).data["tallies"] == 2
    session.execute(text("update m_labour set state = 'draft' where id = :i"), {"i": first.id})
    assert get_record(session, "portfolio", north.id, SYSTEM).data["actual"] == Decimal("30.00")
    delete_record(session, "labour", second.id, SYSTEM)
    assert get_record(session, "project", p2.id, SYSTEM).data["biggest"] is None
    assert get_record(session, "portfolio", north.id, SYSTEM).data["actual"] == Decimal("0.00")
    assert get_record(session, "portfolio", north.id, SYSTEM).data["tallies"] == 1


def test_a_project_moved_to_another_portfolio_moves_its_figures(session, site):
    north, p1, _ = site
    south = create_record(session, "portfolio", {"name": "South"}, SYSTEM)
    approve(session, create_record(session, "labour", tally(p1.id, "5"), FOREMAN).id)
    project = get_record(session, "project", p1.id, SYSTEM)
    update_record(session, "project", p1.id, project.version, {"portfolio": south.id}, SYSTEM)
    assert get_record(session, "portfolio", south.id, SYSTEM).data["actual"] == Decimal("50.00")
    assert get_record(session, "portfolio", north.id, SYSTEM).data["actual"] == Decimal("0.00")


def test_a_where_on_the_parent_follows_the_parents_own_field(session, site):
    _, p1, _ = site
    create_record(session, "labour", tally(p1.id, "4", date="2026-03-01"), FOREMAN)
    create_record(session, "labour", tally(p1.id, "6", date="2026-03-03"), FOREMAN)
    assert get_record(session, "project", p1.id, SYSTEM).data["week_hours"] == Decimal("6.0")
    project = get_record(session, "project", p1.id, SYSTEM)
    update_record(session, "project", p1.id, project.version, {"week_start": "2026-02-23"}, SYSTEM)
    assert get_record(session, "project", p1.id, SYSTEM).data["week_hours"] == Decimal("10.0")


def test_a_batch_of_tallies_counts_once_each(session, site):
    _, p1, p2 = site
    create_records(session, "labour", [tally(p1.id, "1")] * 30 + [tally(p2.id, "1")], FOREMAN)
    assert stored(session, "m_project", p1.id, "tally_count") == 30
    assert stored(session, "m_project", p2.id, "tally_count") == 1


def test_lists_sort_filter_and_total_by_the_stored_rollup(session, site):
    _, p1, p2 = site
    for project, hours in ((p1.id, "2"), (p2.id, "9"), (p2.id, "1")):
        approve(session, create_record(session, "labour", tally(project, hours), FOREMAN).id)
    page = list_records(session, "project", SYSTEM, ListQuery(sort=("-actual",)))
    assert [r.data["code"] for r in page.items] == ["P2", "P1"]
    query = parse_list_params(module_of(session, "project"), {"filter[actual][gte]": "50"}, SYSTEM)
    assert [r.data["code"] for r in list_records(session, "project", SYSTEM, query).items] == ["P2"]
    query = parse_list_params(module_of(session, "project"), {"filter[tally_count]": "1"}, SYSTEM)
    assert [r.data["code"] for r in list_records(session, "project", SYSTEM, query).items] == ["P1"]


def module_of(session, module_id: str):
    from engine.catalog import load_catalog

    return load_catalog(session).module(module_id)


def test_an_upgrade_adds_the_column_and_fills_it(session):
    import_pack(session, rollup_pack(parent_where=False))
    project = create_record(session, "project", {"code": "P9", "name": "Nine"}, SYSTEM)
    for hours in ("1", "7"):
        create_record(session, "labour", tally(project.id, hours), FOREMAN)
    pack = rollup_pack(parent_where=False)
    pack["version"] = "1.1.0"
    module(pack, "project")["schema"]["properties"]["smallest"] = {
        "type": "number",
        "x-scale": 2,
        "x-rollup": {"module": "labour", "link": "project", "value": "min(amount)"},
    }
    report = import_pack(session, pack)
    assert any("add column m_project.smallest" in step for step in report.ddl)
    assert get_record(session, "project", project.id, SYSTEM).data["smallest"] == Decimal("10.00")


def test_a_cycle_of_rollups_is_refused_at_import_naming_it(session):
    pack = rollup_pack(parent_where=False)
    fields = module(pack, "project")["schema"]["properties"]
    fields["actual"]["x-rollup"] = {"module": "labour", "link": "project", "value": "sum(cost)"}
    module(pack, "labour")["schema"]["properties"]["cost"] = {
        "type": "number",
        "x-rollup": {"module": "project", "link": "ref_project", "value": "sum(actual)"},
    }
    fields["ref_project"] = {"type": "string", "x-ref": "labour"}
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    cycles = [p for p in refused.value.problems if p.code == "formula_cycle"]
    assert cycles, refused.value.problems
    assert "actual" in cycles[0].params["cycle"] and "cost" in cycles[0].params["cycle"]
    assert session.execute(text("select count(*) from packs")).scalar_one() == 0


def snapshot(session) -> dict[str, tuple[Any, ...]]:
    rows = session.execute(
        text("select id, actual, tally_count, biggest, week_hours from m_project")
    ).all()
    rows += session.execute(text("select id, actual, tallies, null, null from m_portfolio")).all()
    return {row[0]: tuple(row[1:]) for row in rows}


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "edit", "relink", "delete", "approve", "back", "week", "move"]),
        st.integers(0, 50),
        st.integers(0, 12),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(OPERATIONS)
def test_incremental_rollups_equal_rebuilt_ones_after_random_writes(session, site, operations):
    north, p1, p2 = site
    projects = [p1.id, p2.id]
    for operation, pick, hours in operations:
        apply_random(session, operation, pick, hours, projects, north.id)
        kept = snapshot(session)
        rebuild_rollups(session)
        assert snapshot(session) == kept, operation


def apply_random(session, operation: str, pick: int, hours: int, projects, north: str) -> None:
    ids = [r[0] for r in session.execute(text("select id from m_labour order by id")).all()]
    target = ids[pick % len(ids)] if ids else None
    project = projects[pick % 2]
    date = f"2026-03-{1 + pick % 9:02d}"
    if operation == "create" or target is None:
        create_record(session, "labour", tally(project, str(hours), date=date), FOREMAN)
    elif operation in ("edit", "relink"):
        record = get_record(session, "labour", target, SYSTEM)
        if record.state == "draft":
            data = tally(project if operation == "relink" else record.data["project"], str(hours))
            update_record(session, "labour", target, record.version, data, SYSTEM)
    elif operation == "delete":
        delete_record(session, "labour", target, SYSTEM)
    elif operation == "approve":
        state = get_record(session, "labour", target, SYSTEM).state
        if state == "draft":
            approve(session, target)
    elif operation == "back":  # a state set behind the engine's back, as a fix script would
        session.execute(text("update m_labour set state = 'draft' where id = :i"), {"i": target})
    elif operation == "week":
        record = get_record(session, "project", project, SYSTEM)
        update_record(session, "project", project, record.version, {"week_start": date}, SYSTEM)
    else:  # a project leaves its portfolio, or joins it
        record = get_record(session, "project", project, SYSTEM)
        joined = None if record.data.get("portfolio") else north
        update_record(session, "project", project, record.version, {"portfolio": joined}, SYSTEM)


def test_a_database_from_before_stored_rollups_gets_its_columns_filled(
    session_factory, engine
) -> None:
    from alembic import command

    from engine.db import transaction
    from engine.migrate import alembic_config, upgrade_database
    from engine.records.rollups import drop_triggers

    with transaction(session_factory) as session:
        import_pack(session, rollup_pack(parent_where=False))
        project = create_record(session, "project", {"code": "P1", "name": "One"}, SYSTEM)
        create_record(session, "labour", tally(project.id, "3"), FOREMAN)
    with engine.begin() as connection:  # as an installation left it before this revision
        drop_triggers(connection)
        for index in inspect(connection).get_indexes("m_project"):
            if "tally_count" in index["column_names"]:
                connection.exec_driver_sql(f"DROP INDEX {index['name']}")
        connection.exec_driver_sql("ALTER TABLE m_project DROP COLUMN tally_count")
        for later in LATER_TABLES:  # made by later revisions
            connection.exec_driver_sql(f"DROP TABLE {later}")
        command.stamp(with_connection(alembic_config(), connection), "0008")
    upgrade_database(engine)
    with transaction(session_factory) as session:
        assert stored(session, "m_project", project.id, "tally_count") == 1
        create_record(session, "labour", tally(project.id, "1"), FOREMAN)  # triggers are back
        assert stored(session, "m_project", project.id, "tally_count") == 2


def with_connection(config, connection):
    config.attributes["connection"] = connection
    return config


def test_a_report_sums_the_stored_rollups_a_reader_may_see(session, site):
    from engine.accounts import add_grant
    from engine.reports import run_report
    from tests.engine.people import make_user

    north, p1, p2 = site
    for project, hours in ((p1.id, "2"), (p2.id, "9")):
        approve(session, create_record(session, "labour", tally(project, hours), FOREMAN).id)
    (row,) = run_report(session, "cost_by_portfolio", SYSTEM).rows
    assert (row["portfolio"], row["projects"], row["cost"]) == (north.id, 2, Decimal("110.00"))
    manager = make_user(session, "ann", "site_manager")
    add_grant(session, "ann", "project", p1.id)  # reads P1's tallies only
    (row,) = run_report(session, "cost_by_portfolio", manager).rows
    assert (row["projects"], row["cost"]) == (2, Decimal("20.00"))  # P2's 90.00 withheld


def test_a_portfolio_total_is_withheld_from_a_reader_of_some_tallies_only(session, site):
    from engine.accounts import add_grant
    from tests.engine.people import make_user

    north, p1, p2 = site
    for project in (p1.id, p2.id):
        approve(session, create_record(session, "labour", tally(project, "1"), FOREMAN).id)
    manager = make_user(session, "ann", "site_manager")  # reads every project and portfolio
    add_grant(session, "ann", "project", p1.id)  # but only P1's tallies
    portfolio = get_record(session, "portfolio", north.id, manager)
    assert portfolio.restricted == {"actual", "tallies"}
    add_grant(session, "ann", "project", p2.id)
    assert get_record(session, "portfolio", north.id, manager).data["actual"] == Decimal("20.00")
