"""Numbers stay unique under concurrent writers; list and report queries read indexes."""

from __future__ import annotations

import threading

from sqlalchemy import select, text

from engine.actor import SYSTEM, actor
from engine.catalog import load_catalog
from engine.db import transaction
from engine.packs import import_pack
from engine.records import create_record
from tests.engine.sample_pack import sample_pack

FOREMAN = actor("lee", "foreman")


def test_record_numbers_are_unique_under_concurrent_creation(session_factory):
    with transaction(session_factory) as session:
        import_pack(session, sample_pack())
        project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    threads, per_thread = 8, 5
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                with transaction(session_factory) as session:
                    create_record(
                        session,
                        "labour",
                        {"project": project.id, "date": "2026-11-01", "worker": "Lee"},
                        FOREMAN,
                    )
        except BaseException as exc:  # reported below; a thread must not die silently
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with session_factory() as session:
        numbers = [row[0] for row in session.execute(text("select number from m_labour"))]
    assert len(numbers) == threads * per_thread
    assert len(set(numbers)) == len(numbers)
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, threads * per_thread + 1))


def _plan(session, backend, statement) -> str:
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if backend == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    session.execute(text("SET LOCAL enable_seqscan = off"))
    session.execute(text("SET LOCAL enable_bitmapscan = off"))
    rows = session.execute(text(f"EXPLAIN {compiled}")).all()
    return "\n".join(row[0] for row in rows)


def test_count_and_totals_read_a_covering_index(session_factory, engine, backend):
    from sqlalchemy import func

    with transaction(session_factory) as session:
        import_pack(session, sample_pack())
        projects = [
            create_record(session, "project", {"code": f"P{n}", "name": "Tower"}, SYSTEM)
            for n in range(4)
        ]
        for day in range(1, 9):
            for each in projects:
                trade = ("rebar", "formwork", "concrete")[day % 3]
                data = {
                    "project": each.id,
                    "date": f"2026-11-0{day}",
                    "worker": "Lee",
                    "trade": trade,
                }
                create_record(session, "labour", data, FOREMAN)
        session.execute(text("update m_labour set state = 'approved' where date > '2026-11-04'"))
    if backend == "postgresql":  # as autovacuum would: statistics and the visibility map
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE m_labour"))
    project = projects[0]
    with transaction(session_factory) as session:
        table = load_catalog(session).tables["labour"].main
        totals = select(func.count(), func.sum(table.c.hours), func.sum(table.c.amount)).where(
            table.c.trade == "rebar"
        )
        rollup = select(func.sum(table.c.amount)).where(
            table.c.project == project.id, table.c.state == "approved"
        )
        for statement in (totals, rollup):
            plan = _plan(session, backend, statement)
            assert ("COVERING INDEX" if backend == "sqlite" else "Index Only Scan") in plan, plan
