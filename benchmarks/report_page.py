"""How long a report page takes over 100,000 labour tallies: the server's whole answer.

The benchmark's labour pack (benchmarks/pack.py, with the dashboard benchmark's second
report) gets a stacked bar chart on its trade × month report; the tallies are written
straight into the module's table (benchmarks/dashboard.py `load`). Then the app answers
GET requests through Flask's test client — routing, sign-in check, the report in SQL, its
totals, the chart option, the template — for an administrator (every row) and a foreman
(his own rows: a row scope), timed around each request in the same process, so the time
is the server's, without a network. Medians in ms go to stdout.

    .venv/bin/python benchmarks/report_page.py                    # SQLite, 100,000 tallies
    .venv/bin/python benchmarks/report_page.py --records 5000     # a quick run
    scripts/with-postgres.sh .venv/bin/python benchmarks/report_page.py --postgres
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from benchmarks.dashboard import dashboard_pack, load
from benchmarks.harness import (
    StatementLog,
    Timing,
    in_session,
    refresh_statistics,
    scratch_database,
    server_version,
    timed_ms,
)
from benchmarks.pack import REPORT_ID
from engine import accounts
from engine.catalog import load_catalog
from engine.db import make_engine, make_session_factory, transaction
from engine.migrate import upgrade_database
from engine.packs import import_pack
from engine.reports import run_compiled_report
from web import create_app

PASSWORD = "bench-password-1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE = f"/reports/{REPORT_ID}"
REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    ("report page", PAGE, {}),
    (
        "filtered: one trade, one year",
        PAGE,
        {"filter[trade]": "rebar", "filter[date][gte]": "2026-01-01"},
    ),
    ("sorted by amount, page 2 (htmx part)", PAGE, {"sort": "-amount", "page": "2"}),
    ("XLSX download", f"{PAGE}/download", {"format": "xlsx"}),
]


def report_pack() -> dict[str, Any]:
    pack = dashboard_pack()
    pack["reports"][0]["chart"] = {
        "type": "stacked_bar",
        "x": "month(date)",
        "y": "amount",
        "series": "trade",
    }
    return pack


def signed_in(app: Any, name: str) -> FlaskClient:
    client = app.test_client()
    match = CSRF.search(client.get("/").get_data(as_text=True))
    assert match, "no CSRF token on the sign-in page"
    answer = client.post(
        "/sign-in", data={"csrf_token": match.group(1), "name": name, "password": PASSWORD}
    )
    assert answer.status_code == 302, answer.status_code
    return client


def report_alone(name: str) -> Callable[[Session], Any]:
    """The report's rows as the page reads them, without the page: the time in SQL."""

    def call(session: Session) -> Any:
        catalog = load_catalog(session)
        who = accounts.actor_of(accounts.get_user(session, name))
        return run_compiled_report(session, catalog, catalog.report(REPORT_ID), who)

    return call


def run(engine: Engine, database: str, args: argparse.Namespace) -> None:
    upgrade_database(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        import_pack(session, report_pack())
        accounts.create_user(session, "boss", PASSWORD, roles=["admin"])
        accounts.create_user(session, "foreman07", PASSWORD, roles=["foreman"])
    print(f"loading {args.records:,} tallies ...", file=sys.stderr)
    load(engine, args.records)
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
    print(f"\n{server_version(engine)}, {args.records:,} tallies, {args.runs} runs")
    print("| viewer | request | median ms | min | max | statements | status |")
    print("|---|---|---|---|---|---|---|")
    for name in ("boss", "foreman07"):
        client = signed_in(app, name)
        for label, path, query in REQUESTS:
            headers = (
                {"HX-Request": "true", "HX-Target": "report-results"} if "htmx" in label else {}
            )

            def call(
                path: str = path,
                query: dict[str, str] = query,
                headers: Any = headers,
                client: FlaskClient = client,
            ) -> Any:
                return client.get(path, query_string=query, headers=headers)

            for _ in range(args.warmup):
                status = call().status_code
            log.statements, log.active = [], True
            try:
                call()
            finally:
                log.active = False
            statements = len(log.statements)
            timing = Timing([timed_ms(call) for _ in range(args.runs)])
            print(
                f"| {name} | {label} | {timing.median:.1f} | {timing.min:.1f} | "
                f"{timing.max:.1f} | {statements} | {status} |"
            )
        sql = Timing([timed_ms(in_session(factory, report_alone(name))) for _ in range(args.runs)])
        print(
            f"| {name} | its report alone (`run_compiled_report`, no page) | "
            f"{sql.median:.1f} | {sql.min:.1f} | {sql.max:.1f} | 1 | |"
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
