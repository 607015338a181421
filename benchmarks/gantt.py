"""How long the Gantt page of one project takes: 2,000 tasks among 100,000 schedule tasks.

The bundled construction pack is installed; 50 projects and the schedule tasks are written
straight into their tables. The first project holds 2,000 tasks (40 WBS parents of 49
children each, every child waiting on the one before it and every parent on the parent
before it: 1,960 finish-to-start links); the rest are spread over the other 49 projects.
The app then answers GET /m/schedule/gantt?filter[project]=<first> through Flask's test
client — sign-in check, the scoped SELECT of the view's columns, the critical path, the SVG
layout, the S-curve and the template — for a planner (every row) and a site manager (a row
scope: a grant to that project). Timed around each request in the same process, so the time
is the server's, without a network. Medians in ms go to stdout.

    .venv/bin/python benchmarks/gantt.py                       # SQLite, 100,000 tasks
    .venv/bin/python benchmarks/gantt.py --records 5000        # a quick run
    scripts/with-postgres.sh .venv/bin/python benchmarks/gantt.py --postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask.testing import FlaskClient
from sqlalchemy import Engine, insert

from benchmarks.harness import (
    StatementLog,
    Timing,
    refresh_statistics,
    scratch_database,
    server_version,
    timed_ms,
)
from benchmarks.report_page import PASSWORD, signed_in
from engine import accounts
from engine.catalog import load_catalog
from engine.db import make_engine, make_session_factory, transaction
from engine.migrate import upgrade_database
from engine.packs import import_pack
from web import create_app

ROOT = Path(__file__).resolve().parents[1]
PACK_VERSION = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))["version"]
PROJECTS = 50
BIG = 2000  # tasks of the first project: 40 parents × (1 + 49 children)
START = dt.date(2026, 1, 5)


def _system(number: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "number": number,
        "owner": "planner",
        "version": 1,
        "module_version": PACK_VERSION,
        "created_at": now,
        "updated_at": now,
    }


def _big_project(project: str, now: dt.datetime) -> Iterator[dict[str, Any]]:
    for parent in range(1, BIG // 50 + 1):
        first = START + dt.timedelta(days=7 * (parent - 1))
        yield {
            **_system(f"B{parent}", now),
            "project": project,
            "wbs_code": str(parent),
            "task": f"Stage {parent}",
            "planned_start": first,
            "planned_finish": first + dt.timedelta(days=60),
            "percent_complete": 50 if parent < 20 else 0,
            "status": "in_progress",
            "predecessors": str(parent - 1) if parent > 1 else None,
        }
        for child in range(1, 50):
            start = first + dt.timedelta(days=child)
            yield {
                **_system(f"B{parent}.{child}", now),
                "project": project,
                "wbs_code": f"{parent}.{child}",
                "task": f"Task {parent}.{child}",
                "planned_start": start,
                "planned_finish": start + dt.timedelta(days=3 + child % 5),
                "actual_start": start if parent < 20 else None,
                "percent_complete": 100 if parent < 20 else 0,
                "status": "done" if parent < 20 else "not_started",
                "predecessors": f"{parent}.{child - 1}" if child > 1 else None,
                "milestone": child == 49,
            }


def _others(projects: list[str], count: int, now: dt.datetime) -> Iterator[dict[str, Any]]:
    for n in range(count):
        start = START + dt.timedelta(days=n % 700)
        yield {
            **_system(f"T{n}", now),
            "project": projects[1 + n % (len(projects) - 1)],
            "wbs_code": f"{n // 50 + 1}.{n % 50 + 1}",
            "task": f"Task {n}",
            "planned_start": start,
            "planned_finish": start + dt.timedelta(days=10),
            "percent_complete": 0,
            "status": "not_started",
        }


def load(engine: Engine, count: int) -> str:
    """The projects and tasks, straight into their tables; the big project's id."""
    with transaction(make_session_factory(engine)) as session:
        tables = load_catalog(session).tables
    now = dt.datetime.now(dt.UTC)
    projects = [
        {**_system(f"P{n}", now), "code": f"P-{n:03d}", "name": f"Project {n}"}
        for n in range(PROJECTS)
    ]
    with engine.begin() as connection:
        connection.execute(insert(tables["project"].main), projects)
    ids = [p["id"] for p in projects]
    rows = [*_big_project(ids[0], now), *_others(ids, max(count - BIG, 0), now)]
    keys = {key for row in rows[: BIG + 1] for key in row}
    rows = [{**dict.fromkeys(keys), **row} for row in rows]  # one shape for executemany
    for at in range(0, len(rows), 5000):
        with engine.begin() as connection:
            connection.execute(insert(tables["schedule"].main), rows[at : at + 5000])
    return ids[0]


def run(engine: Engine, database: str, args: argparse.Namespace) -> None:
    upgrade_database(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        import_pack(session, (ROOT / "modules" / "construction.json").read_text("utf-8"))
    print(f"loading {args.records:,} schedule tasks ...", file=sys.stderr)
    big = load(engine, args.records)
    with transaction(factory) as session:
        accounts.create_user(session, "planner", PASSWORD, roles=["planner"])
        grants = [("project", big)]
        accounts.create_user(session, "manager", PASSWORD, roles=["site_manager"], grants=grants)
    refresh_statistics(engine)
    app = create_app(
        {
            "DATABASE_URL": database,
            "SECRET_KEY": "bench",
            "FORMWORK_UPLOADS": tempfile.mkdtemp(prefix="formwork-bench-uploads-"),
            "FORMWORK_TIME_BUDGET": 0,
        }
    )
    log = StatementLog(app.extensions["formwork"].engine)
    print(f"\n{server_version(engine)}, {args.records:,} tasks, {args.runs} runs")
    print("| viewer | request | median ms | min | max | statements | tasks drawn |")
    print("|---|---|---|---|---|---|---|")
    requests = [
        ("Gantt of one project (2,000 tasks)", {"filter[project]": big}),
        ("the same, zoom by day", {"filter[project]": big, "zoom": "day"}),
    ]
    for name in ("planner", "manager"):
        client = signed_in(app, name)
        for label, query in requests:

            def call(query: dict[str, str] = query, client: FlaskClient = client) -> Any:
                return client.get("/m/schedule/gantt", query_string=query)

            for _ in range(args.warmup):
                answer = call()
            assert answer.status_code == 200, answer.status_code
            drawn = answer.get_data(as_text=True).count('<g class="gantt-task')
            log.statements, log.active = [], True
            try:
                call()
            finally:
                log.active = False
            timing = Timing([timed_ms(call) for _ in range(args.runs)])
            print(
                f"| {name} | {label} | {timing.median:.1f} | {timing.min:.1f} | "
                f"{timing.max:.1f} | {len(log.statements)} | {drawn} |"
            )
    app.extensions["formwork"].engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--database-url")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ["TEST_DATABASE_URL"] if args.postgres else args.database_url
    with scratch_database(url) as database:
        engine = make_engine(database)
        try:
            run(engine, database, args)
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
