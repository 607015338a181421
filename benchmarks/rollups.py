"""A list of projects sorted by a rollup over 100,000 tallies: computed on read vs stored.

Before: each rollup was a correlated subquery in the list's SELECT, so sorting a page by it
computed it for every project. After: it is a column kept current by triggers, so the page
walks an index. Both statements are timed (the "before" one is rebuilt here from the same
expression), then the engine's whole list call, the cost the triggers add to one write, a
batch of 500 writes, and `rebuild-rollups` over all tallies. Medians in ms go to stdout.

    .venv/bin/python benchmarks/rollups.py                      # SQLite, 100,000 tallies
    .venv/bin/python benchmarks/rollups.py --records 5000       # a quick run
    scripts/with-postgres.sh .venv/bin/python benchmarks/rollups.py --postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from benchmarks.harness import refresh_statistics, scratch_database, server_version, timed_ms
from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.db import make_engine, make_session_factory, transaction
from engine.migrate import upgrade_database
from engine.packs import import_pack
from engine.records import ListQuery, create_record, list_records
from engine.records.rollup_triggers import drop_triggers
from engine.records.rollup_values import rollup_value
from engine.records.rollups import rebuild_rollups
from engine.records.service import create_records

PROJECTS = 2000
RUNS = 15


def pack() -> dict[str, Any]:
    rollup = {"module": "tally", "link": "project"}
    return {
        "format": "formwork.pack/1",
        "id": "bench_rollups",
        "version": "1.0.0",
        "title": "Rollup benchmark",
        "modules": [
            {
                "id": "project",
                "title": "Project",
                "title_field": "code",
                "schema": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "cost": {
                            "type": "number",
                            "x-scale": 2,
                            "x-rollup": {**rollup, "value": "sum(amount)", "where": "done"},
                        },
                        "tallies": {"type": "integer", "x-rollup": {**rollup, "value": "count()"}},
                    },
                },
                "ui": {"list": {"columns": ["code", "cost", "tallies"], "sort": "-cost"}},
            },
            {
                "id": "tally",
                "title": "Tally",
                "schema": {
                    "type": "object",
                    "properties": {
                        "project": {"type": "string", "x-ref": "project"},
                        "amount": {"type": "number", "x-scale": 2},
                        "done": {"type": "boolean"},
                    },
                },
            },
        ],
    }


def load(session: Session, records: int) -> list[str]:
    """The projects, then the tallies straight into their table (triggers off), then one
    rebuild; returns the project ids."""
    projects = create_records(
        session, "project", [{"code": f"P{i:05d}"} for i in range(PROJECTS)], SYSTEM
    )
    table = load_catalog(session).tables["tally"].main
    drop_triggers(session.connection())
    rng = random.Random(14)
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "id": f"t{i:031d}",
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "project": projects[rng.randrange(PROJECTS)],
            "amount": Decimal(rng.randrange(100, 100000)).scaleb(-2),
            "done": rng.random() < 0.7,
        }
        for i in range(records)
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(table), rows[start : start + 5000])
    return projects


def median(call: Any) -> float:
    return statistics.median(timed_ms(call) for _ in range(RUNS))


def measure(factory: Any) -> list[tuple[str, float]]:
    figures: list[tuple[str, float]] = []
    with factory() as session:
        catalog = load_catalog(session)
        project = catalog.modules["project"]
        main = catalog.tables["project"].main
        dialect = session.get_bind().dialect.name
        computed = rollup_value(catalog, project, main, project.field("cost"), dialect)
        before = select(main.c.id, main.c.code, computed.label("c")).order_by(text("c DESC"))
        after = select(main.c.id, main.c.code, main.c.cost).order_by(main.c.cost.desc())
        for name, statement in (
            ("before: sorted by the subquery", before),
            ("after: sorted by the column", after),
        ):
            figures.append((name, median(lambda s=statement: session.execute(s.limit(20)).all())))
        query = ListQuery(sort=("-cost",))
        figures.append(
            (
                "after: list_records page (rows, count, totals)",
                median(lambda: list_records(session, "project", SYSTEM, query)),
            )
        )
    return figures


def writes(factory: Any, projects: list[str]) -> list[tuple[str, float]]:
    figures: list[tuple[str, float]] = []
    rng = random.Random(7)

    def one() -> None:
        with transaction(factory) as session:
            data = {"project": projects[rng.randrange(PROJECTS)], "amount": "12.50", "done": True}
            create_record(session, "tally", data, SYSTEM)

    def batch() -> None:
        with transaction(factory) as session:
            items = [
                {"project": projects[rng.randrange(PROJECTS)], "amount": "1.00", "done": True}
                for _ in range(500)
            ]
            create_records(session, "tally", items, SYSTEM)

    with transaction(factory) as session:
        drop_triggers(session.connection())
    figures.append(("before: one tally created (nothing kept)", median(one)))
    with transaction(factory) as session:
        rebuild_rollups(session)  # the triggers again
    figures.append(("after: one tally created (its project's rollups kept)", median(one)))
    figures.append(
        ("500 tallies in one batch", statistics.median(timed_ms(batch) for _ in range(3)))
    )
    with transaction(factory) as session:
        figures.append(("rebuild-rollups, all", timed_ms(lambda: rebuild_rollups(session))))
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL's server")
    args = parser.parse_args(argv)
    server = os.environ.get("TEST_DATABASE_URL") if args.postgres else None
    with scratch_database(server) as url:
        upgrade_database(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            import_pack(session, pack())
            projects = load(session, args.records)
        with transaction(factory) as session:
            load_time = timed_ms(lambda: rebuild_rollups(session))  # triggers back, values in
        refresh_statistics(engine)
        print(f"{server_version(engine)}; {PROJECTS} projects, {args.records} tallies")
        print(f"{'first fill of the stored rollups':50} {load_time:9.1f} ms")
        for name, ms in measure(factory) + writes(factory, projects):
            print(f"{name:50} {ms:9.1f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
