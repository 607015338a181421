"""How long a dashboard of six number cards and two charts takes over 100,000 records.

The benchmark's labour pack (benchmarks/pack.py) gets a second report and a dashboard: six
number cards (counts, sums and an average under filters, two of them for this month against
the last) and two report charts (trade × month, and by project). The tallies are written
straight into the module's table with SQLAlchemy Core — this measures reading, and
`records.py` already measures the engine's validated load — then `run_dashboard` is timed in
a session of its own per run, as one home page request computes it, for an administrator
(every row) and for a foreman (his own rows: a row scope). Medians in ms go to stdout.

    .venv/bin/python benchmarks/dashboard.py                    # SQLite, 100,000 tallies
    .venv/bin/python benchmarks/dashboard.py --records 5000     # a quick run
    scripts/with-postgres.sh .venv/bin/python benchmarks/dashboard.py --postgres
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, insert

from benchmarks.harness import (
    StatementLog,
    Timing,
    in_session,
    refresh_statistics,
    scratch_database,
    server_version,
    timed_ms,
)
from benchmarks.pack import LABOUR_PACK, REPORT_ID, crew_rows, labour_rows, project_rows
from engine.actor import actor
from engine.catalog import load_catalog
from engine.dashboards import run_dashboard
from engine.db import make_engine, make_session_factory, transaction
from engine.migrate import upgrade_database
from engine.packs import import_pack
from engine.records.service import create_records

ADMIN = actor("bench", "admin")
FOREMEN = 20
TODAY = dt.date(2026, 6, 15)
MONTH = {"field": "date", "unit": "month", "compare": "previous"}
CARDS: list[dict[str, Any]] = [
    {"type": "number", "title": "Drafts", "module": "labour", "where": "$state == 'draft'"},
    {
        "type": "number",
        "title": "Approved amount",
        "module": "labour",
        "measure": "sum(amount)",
        "where": "$state == 'approved'",
        "format": "money",
    },
    {
        "type": "number",
        "title": "Hours this month",
        "module": "labour",
        "measure": "sum(hours)",
        "period": MONTH,
    },
    {
        "type": "number",
        "title": "Rebar this year",
        "module": "labour",
        "where": "trade == 'rebar' and date >= '2026-01-01'",
    },
    {
        "type": "number",
        "title": "Average approved hours",
        "module": "labour",
        "measure": "avg(hours)",
        "where": "$state == 'approved'",
    },
    {
        "type": "number",
        "title": "Checked this month",
        "module": "labour",
        "where": "checked == true",
        "period": MONTH,
    },
    {"type": "chart", "report": REPORT_ID, "size": 2},
    {"type": "chart", "report": "bench_labour_by_project", "size": 2},
]


def dashboard_pack() -> dict[str, Any]:
    pack = copy.deepcopy(LABOUR_PACK)
    pack["reports"].append(
        {
            "id": "bench_labour_by_project",
            "title": "Labour by project",
            "module": "labour",
            "group_by": ["project"],
            "measures": {"amount": "sum(amount)"},
            "chart": {"type": "bar", "x": "project", "y": "amount"},
        }
    )
    pack["reports"][0].setdefault("chart", {"type": "line", "x": "month(date)", "y": "hours"})
    pack["dashboards"] = [{"id": "bench", "title": "Bench", "cards": CARDS}]
    return pack


def load(engine: Engine, count: int) -> None:
    """Projects and crews through the engine; the tallies straight into their table."""
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        projects = create_records(session, "project", project_rows(), ADMIN)
        crews = create_records(session, "crew", crew_rows(), ADMIN)
        main = load_catalog(session).tables["labour"].main
    now = dt.datetime.now(dt.UTC)
    states = ("draft", "submitted", "approved", "approved")
    batch: list[dict[str, Any]] = []
    for n, row in enumerate(labour_rows(count)):
        hours = sum(item["hours"] for item in row["items"])
        amount = sum(item["hours"] * item["rate"] for item in row["items"])
        batch.append(
            {
                "id": uuid.uuid4().hex,
                "number": f"LT-{n:07d}",
                "state": states[n % len(states)],
                "owner": f"foreman{n % FOREMEN:02d}",
                "version": 1,
                "module_version": "1.0.0",
                "created_at": now,
                "updated_at": now,
                "project": projects[row["project"]],
                "crew": crews[row["crew"]],
                "date": dt.date.fromisoformat(row["date"]),
                "worker": row["worker"],
                "trade": row["trade"],
                "hours": hours,
                "amount": amount.quantize(amount.__class__("0.01")),
                "tags": row["tags"],
                "checked": row["checked"],
                "notes": row["notes"],
            }
        )
        if len(batch) == 5000:
            with engine.begin() as connection:
                connection.execute(insert(main), batch)
            batch = []
    if batch:
        with engine.begin() as connection:
            connection.execute(insert(main), batch)


def run(engine: Engine, args: argparse.Namespace) -> None:
    upgrade_database(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        import_pack(session, dashboard_pack())
    print(f"loading {args.records:,} tallies ...", file=sys.stderr)
    load(engine, args.records)
    refresh_statistics(engine)
    log = StatementLog(engine)
    print(f"\n{server_version(engine)}, {args.records:,} tallies, {args.runs} runs")
    print("| viewer | median ms | min | max | statements | cards |")
    print("|---|---|---|---|---|---|")
    for who in (ADMIN, actor("foreman07", "foreman")):

        def compute(session: Any, who: Any = who) -> Any:
            catalog = load_catalog(session)
            (board,) = catalog.packs["bench_site"].dashboards
            return run_dashboard(session, catalog, board, who, TODAY)

        figures = log.capture(factory, compute)
        statements = len(log.statements)
        call = in_session(factory, compute)
        for _ in range(args.warmup):
            call()
        timing = Timing([timed_ms(call) for _ in range(args.runs)])
        print(
            f"| {who.name} | {timing.median:.1f} | {timing.min:.1f} | {timing.max:.1f} | "
            f"{statements} | {len(figures)} |"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
            run(engine, args)
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
