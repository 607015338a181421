"""Records benchmark: the engine against a hand-written SQLAlchemy model of the same module.

Bulk-loads labour tallies through `create_records` (full validation, formulas, numbers,
history) and the same rows into the hand-written tables of benchmarks/baseline.py, then times
a filtered and sorted first page, page 500, column totals and a grouped monthly sum on both,
after checking that both sides give the same answers (a comparison of different answers
would be worthless). It also counts the SQL statements of one list page and watches memory
while paging through the whole table, prints one table and marks each target met or missed.

    .venv/bin/python benchmarks/records.py                      # SQLite, a temporary file
    scripts/with-postgres.sh .venv/bin/python benchmarks/records.py --postgres
    .venv/bin/python benchmarks/records.py --records 2000       # a quick smoke run

On PostgreSQL the run creates a scratch database on the server the URL names and drops it
afterwards. Exit status: 0, or 2 when engine and baseline disagree, or 1 with `--strict`
when a target is missed.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks import baseline
from benchmarks.harness import (
    Memory,
    StatementLog,
    Statements,
    Timing,
    in_session,
    page_through,
    refresh_statistics,
    scratch_database,
    server_version,
    time_pair,
    timed_cpu_ms,
)
from benchmarks.pack import LABOUR_PACK, REPORT_ID, crew_rows, labour_rows, project_rows
from engine.actor import actor
from engine.catalog import load_catalog
from engine.db import make_engine, make_session_factory, transaction
from engine.migrate import upgrade_database
from engine.packs import import_pack
from engine.records import Filter, ListQuery, RecordPage, list_records
from engine.records.service import create_records

ACTOR = actor("lee", "admin")
TRADE = "rebar"
PER_PAGE = 20
DEEP_PAGE = 500
MEMORY_PER_PAGE = 200
MEMORY_EARLY_PAGES = 10

# the targets, set for 100,000 records on a 2-core machine
TARGET_RECORDS = 100_000
MAX_RATIO = 1.3
MAX_FIRST_PAGE_MS = 15.0
MAX_STATEMENTS = 6
MAX_AGGREGATE_MS = 150.0
MIN_LOAD_RATE = 5_000.0
MAX_MEMORY_GROWTH = 0.10  # kept memory may grow by 10 % of a page's peak over all pages
KIB = 1024


def say(message: str) -> None:
    """Progress, on stderr, so stdout holds only the report."""
    sys.stdout.flush()
    print(message, file=sys.stderr, flush=True)


# --- loading ----------------------------------------------------------------------------------


@dataclass
class LoadResult:
    records: int
    items: int
    batch: int
    engine: Timing  # ms per batch
    baseline: Timing
    engine_cpu: Timing  # this process's CPU ms per batch (a server's own work left out)
    baseline_cpu: Timing

    @property
    def engine_rate(self) -> float:
        return self.records / (sum(self.engine.samples_ms) / 1000)

    @property
    def baseline_rate(self) -> float:
        return self.records / (sum(self.baseline.samples_ms) / 1000)

    @property
    def engine_cpu_rate(self) -> float:
        return self.records / (sum(self.engine_cpu.samples_ms) / 1000)

    @property
    def baseline_cpu_rate(self) -> float:
        return self.records / (sum(self.baseline_cpu.samples_ms) / 1000)


def load(factory: sessionmaker[Session], count: int, batch: int) -> LoadResult:
    """Load the same tallies into the engine (validated) and into the baseline (not).

    Each batch is one call and one transaction on both sides. The baseline gets integer
    keys in the order of the engine's ids, so "newest first, then by id" breaks ties alike.
    """
    rows = list(labour_rows(count))
    with transaction(factory) as session:
        project_ids = create_records(session, "project", project_rows(), ACTOR)
        crew_ids = create_records(session, "crew", crew_rows(), ACTOR)
        baseline.load_projects(session, project_rows())
        baseline.load_crews(session, crew_rows())

    engine_times, engine_cpu = Timing(), Timing()
    ids: list[str] = []
    for start in range(0, count, batch):
        data = [
            {**row, "project": project_ids[row["project"]], "crew": crew_ids[row["crew"]]}
            for row in rows[start : start + batch]
        ]

        def create(data: list[dict[str, Any]] = data) -> None:
            with transaction(factory) as session:
                ids.extend(create_records(session, "labour", data, ACTOR))

        engine_times.samples_ms.append(timed_cpu_ms(create, engine_cpu))

    with factory() as session:
        main = load_catalog(session).tables["labour"].main
        stamps = {
            row.id: (row.number, row.created_at)
            for row in session.execute(select(main.c.id, main.c.number, main.c.created_at))
        }
    order = sorted(range(count), key=ids.__getitem__)
    numbered = [
        baseline.Numbered(key + 1, *stamps[ids[index]], rows[index])
        for key, index in enumerate(order)
    ]
    baseline_times, baseline_cpu = Timing(), Timing()
    for start in range(0, count, batch):

        def insert(chunk: list[baseline.Numbered] = numbered[start : start + batch]) -> None:
            with transaction(factory) as session:
                baseline.load_labour(session, chunk, ACTOR.name or "")

        baseline_times.samples_ms.append(timed_cpu_ms(insert, baseline_cpu))
    items = sum(len(row["items"]) for row in rows)
    return LoadResult(count, items, batch, engine_times, baseline_times, engine_cpu, baseline_cpu)


# --- the queries and their answers ------------------------------------------------------------


def _tags(value: Any) -> tuple[str, ...]:
    return tuple(value or ())


def engine_answer(page: RecordPage) -> tuple[Any, ...]:
    """What a reader of the engine's page sees, in a shape the baseline produces too."""
    rows = tuple(
        (
            r.number,
            r.state,
            r.owner,
            r.data["date"],
            r.data["worker"],
            r.data["trade"],
            r.data["hours"],
            r.data["amount"],
            r.data["overtime_reason"],
            _tags(r.data["tags"]),
            r.data["checked"],
            r.data["notes"],
            r.titles.get("project"),
            r.titles.get("crew"),
            tuple((i["task"], i["hours"], i["rate"], i["amount"]) for i in r.data.get("items", ())),
        )
        for r in page.items
    )
    return rows, page.total, page.totals.get("hours"), page.totals.get("amount")


def baseline_answer(page: baseline.Page) -> tuple[Any, ...]:
    rows = tuple(
        (
            r["number"],
            r["state"],
            r["owner"],
            r["date"],
            r["worker"],
            r["trade"],
            r["hours"],
            r["amount"],
            r["overtime_reason"],
            _tags(r["tags"]),
            r["checked"],
            r["notes"],
            r["project_name"],
            r["crew_name"],
            tuple((i["task"], i["hours"], i["rate"], i["amount"]) for i in r.get("items", ())),
        )
        for r in page.rows
    )
    return rows, page.total, page.hours, page.amount


def report_answer(rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["trade"], r["month"], r["lines"], r["hours"], r["amount"]) for r in rows]


@dataclass
class Case:
    """One query as the engine and the baseline each run it, and how to compare the answers."""

    name: str
    kind: str  # page | totals | grouped
    engine: Callable[[Session], Any] | None  # None: the engine part has not landed yet
    baseline: Callable[[Session], Any]
    engine_answer: Callable[[Any], Any]
    baseline_answer: Callable[[Any], Any]


def trade_page(page: int) -> ListQuery:
    """Tallies of one trade, newest first: the list a site manager opens."""
    return ListQuery(
        filters=(Filter("trade", "eq", TRADE),), sort=("-date",), page=page, per_page=PER_PAGE
    )


def _report_runner() -> Callable[[Session], Any] | None:
    try:
        from engine.reports import run_report
    except ImportError:
        return None
    return lambda session: run_report(session, REPORT_ID, ACTOR)


def cases(deep_page: int) -> list[Case]:
    return [
        Case(
            f"first page ({TRADE}, newest first, {PER_PAGE})",
            "page",
            lambda s: list_records(s, "labour", ACTOR, trade_page(1)),
            lambda s: baseline.list_page(s, TRADE, 1, PER_PAGE),
            engine_answer,
            baseline_answer,
        ),
        Case(
            f"page {deep_page} (same filter and sort)",
            "page",
            lambda s: list_records(s, "labour", ACTOR, trade_page(deep_page)),
            lambda s: baseline.list_page(s, TRADE, deep_page, PER_PAGE),
            engine_answer,
            baseline_answer,
        ),
        Case(
            "column totals, all rows (1-row page)",
            "totals",
            lambda s: list_records(s, "labour", ACTOR, ListQuery(per_page=1, with_children=False)),
            lambda s: baseline.list_page(s, None, 1, 1, with_items=False),
            engine_answer,
            baseline_answer,
        ),
        Case(
            "grouped sum, trade x month (report)",
            "grouped",
            _report_runner(),
            baseline.monthly_sums,
            lambda result: report_answer(result.rows),
            report_answer,
        ),
    ]


@dataclass
class Result:
    name: str
    kind: str
    engine: Timing | None = None
    baseline: Timing | None = None
    engine_statements: int | None = None
    baseline_statements: int | None = None

    @property
    def ratio(self) -> float | None:
        if self.engine is None or self.baseline is None:
            return None
        return self.engine.median / self.baseline.median


class Mismatch(Exception):
    """Engine and baseline gave different answers to the same question."""


def _first_difference(a: Any, b: Any, path: str = "answer") -> str:
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        if len(a) != len(b):
            return f"{path}: {len(a)} entries from the engine, {len(b)} from the baseline"
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{n}]")
    return f"{path}: engine {a!r}, baseline {b!r}"


def run_case(
    case: Case, factory: sessionmaker[Session], log: StatementLog, runs: int, warmup: int
) -> tuple[Result, Statements, Statements]:
    """Check that both sides agree, count their statements, then time them in turns."""
    if case.engine is None:
        return Result(case.name, case.kind), [], []
    ours = case.engine_answer(log.capture(factory, case.engine))
    ours_sent = log.statements
    theirs = case.baseline_answer(log.capture(factory, case.baseline))
    theirs_sent = log.statements
    if ours != theirs:
        raise Mismatch(f"{case.name}: {_first_difference(ours, theirs)}")
    engine_timing, baseline_timing = time_pair(
        in_session(factory, case.engine), in_session(factory, case.baseline), runs, warmup
    )
    result = Result(
        case.name, case.kind, engine_timing, baseline_timing, len(ours_sent), len(theirs_sent)
    )
    return result, ours_sent, theirs_sent


def totals_statement_case(
    engine: Engine, ours: Statements, theirs: Statements, runs: int, warmup: int
) -> Result:
    """Each side's count-and-sums statement alone, sent as it was: the time spent in SQL."""

    def pick(statements: Statements) -> tuple[str, Any]:
        return next(s for s in statements if "count(*)" in s[0].lower())

    def send(statement: tuple[str, Any]) -> Callable[[], Any]:
        def run() -> Any:
            with engine.connect() as connection:
                return connection.exec_driver_sql(*statement).all()

        return run

    engine_sql, baseline_sql = send(pick(ours)), send(pick(theirs))
    if engine_sql() != baseline_sql():
        raise Mismatch("the count-and-sums statements return different rows")
    engine_timing, baseline_timing = time_pair(engine_sql, baseline_sql, runs, warmup)
    return Result("  its count+sums statement alone", "sql", engine_timing, baseline_timing, 1, 1)


def measure_memory(factory: sessionmaker[Session], records: int) -> tuple[Memory, Memory]:
    """Page through every record, newest first, on both sides."""
    pages = max(1, math.ceil(records / MEMORY_PER_PAGE))

    def engine_page(session: Session, page: int) -> Any:
        query = ListQuery(page=page, per_page=MEMORY_PER_PAGE)
        return list_records(session, "labour", ACTOR, query)

    def baseline_page(session: Session, page: int) -> Any:
        return baseline.list_page(session, None, page, MEMORY_PER_PAGE)

    return (
        page_through(factory, pages, engine_page, MEMORY_EARLY_PAGES),
        page_through(factory, pages, baseline_page, MEMORY_EARLY_PAGES),
    )


# --- output -----------------------------------------------------------------------------------

NAME_WIDTH = 40


def _ms(value: float) -> str:
    return f"{value:8.1f}" if value >= 10 else f"{value:8.2f}"


def table_row(name: str, result: Result) -> str:
    if result.engine is None or result.baseline is None or result.ratio is None:
        return f"{name:<{NAME_WIDTH}}  pending: the engine part has not landed"
    e, b = result.engine, result.baseline
    statements = (
        f"{result.engine_statements} / {result.baseline_statements}"
        if result.engine_statements is not None
        else ""
    )
    return (
        f"{name:<{NAME_WIDTH}}{_ms(e.min)}{_ms(e.median)}{_ms(e.max)}  "
        f"{_ms(b.min)}{_ms(b.median)}{_ms(b.max)}  {result.ratio:6.2f}x  {statements:>8}"
    )


def describe_statement(statement: str) -> str:
    """A few words on what one logged statement of a list page does."""
    words = statement.split()
    table = words[words.index("FROM") + 1] if "FROM" in words else "?"
    if "count(*)" in statement.lower():
        return f"count and column totals from {table}"
    if table == "packs":
        return "installed packs (the catalog cache's freshness check)"
    joins = statement.count("LEFT OUTER JOIN")
    return f"page rows from {table}" + (f", {joins} link titles by LEFT JOIN" if joins else "")


@dataclass
class Target:
    met: bool | None  # None: not measured yet
    text: str


def targets(
    load_result: LoadResult,
    results: list[Result],
    page_statements: Statements,
    link_columns: int,
    memory: Memory,
) -> list[Target]:
    """The issue's targets, each met or missed by this run."""
    found: list[Target] = []
    for r in results:
        if r.kind == "sql":
            continue
        if r.ratio is None:
            found.append(Target(None, f"engine <= {MAX_RATIO}x baseline, {r.name}: pending"))
        else:
            found.append(
                Target(
                    r.ratio <= MAX_RATIO,
                    f"engine <= {MAX_RATIO}x baseline, {r.name}: {r.ratio:.2f}x",
                )
            )
    first = results[0]
    if first.engine is not None:
        found.append(
            Target(
                first.engine.median <= MAX_FIRST_PAGE_MS,
                f"first page <= {MAX_FIRST_PAGE_MS:.0f} ms median: {first.engine.median:.2f} ms",
            )
        )
    found.append(
        Target(
            len(page_statements) <= MAX_STATEMENTS,
            f"<= {MAX_STATEMENTS} statements a list page ({link_columns} link columns): "
            f"{len(page_statements)}",
        )
    )
    for r in results:
        if r.kind not in ("totals", "grouped"):
            continue
        label = f"{r.name} <= {MAX_AGGREGATE_MS:.0f} ms"
        if r.engine is None:
            found.append(Target(None, f"{label}: pending"))
        else:
            found.append(
                Target(
                    r.engine.median <= MAX_AGGREGATE_MS, f"{label}: {r.engine.median:.1f} ms median"
                )
            )
    found.append(
        Target(
            load_result.engine_rate >= MIN_LOAD_RATE,
            f"bulk load >= {MIN_LOAD_RATE:,.0f} records/s with full validation: "
            f"{load_result.engine_rate:,.0f}/s",
        )
    )
    allowed = MAX_MEMORY_GROWTH * memory.early_peak
    found.append(
        Target(
            memory.retained_growth <= allowed,
            f"memory flat while paging the whole table (kept memory grows by less than "
            f"{MAX_MEMORY_GROWTH:.0%} of a page's peak, {allowed / KIB:.0f} KiB): "
            f"{memory.retained_growth / KIB:+.0f} KiB over {memory.pages} pages",
        )
    )
    return found


def print_report(
    backend: str,
    load_result: LoadResult,
    results: list[Result],
    page_statements: Statements,
    link_columns: int,
    memory: tuple[Memory, Memory],
    runs: int,
    warmup: int,
) -> list[Target]:
    """Print the table of one backend and its targets; return the targets."""
    records = load_result.records
    out = print
    out()
    out(f"=== {backend}: {records:,} labour tallies, {load_result.items:,} item rows ===")
    out(
        "engine: create_records / list_records / run_report on m_labour; baseline: "
        "hand-written model on bl_labour (benchmarks/baseline.py)"
    )
    out(
        f"each query: {runs} runs after {warmup} warm-ups, engine and baseline in turns, "
        f"a session each; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )
    out()
    head = (
        f"{'':<{NAME_WIDTH}}{'engine ms':^24}  {'baseline ms':^24}  {'ratio':>7}  {'SQL stmts':>8}"
    )
    out(head)
    out(
        f"{'query':<{NAME_WIDTH}}{'min':>8}{'median':>8}{'max':>8}  "
        f"{'min':>8}{'median':>8}{'max':>8}  {'eng/bl':>7}  {'eng / bl':>8}"
    )
    out("-" * len(head))
    load_row = Result("load", "load", load_result.engine, load_result.baseline)
    out(table_row(f"bulk load, per {load_result.batch:,} records", load_row))
    for r in results:
        out(table_row(r.name, r))
    out()
    out(
        f"load rate: engine {load_result.engine_rate:,.0f} records/s (validation, formulas, "
        f"numbers, history); baseline {load_result.baseline_rate:,.0f} records/s (plain inserts)"
    )
    out(
        f"  per CPU second of this process: engine {load_result.engine_cpu_rate:,.0f} records/s, "
        f"baseline {load_result.baseline_cpu_rate:,.0f} (the machine's other work left out)"
    )
    out(f"statements of one engine list page ({link_columns} link columns): {len(page_statements)}")
    for statement, _ in page_statements:
        out(f"  - {describe_statement(statement)}")
    for side, m in zip(("engine", "baseline"), memory, strict=True):
        out(
            f"memory, {side}, paging all {m.pages} pages of {MEMORY_PER_PAGE} "
            f"({m.seconds:.0f} s under tracemalloc): kept {m.retained_early / KIB:.0f} KiB after "
            f"{m.early_pages} pages, {m.retained / KIB:.0f} KiB after all; peak "
            f"{m.early_peak / KIB:.0f} KiB, then {m.peak / KIB:.0f} KiB (uncollected garbage included)"
        )
    found = targets(load_result, results, page_statements, link_columns, memory[0])
    out()
    scale = "" if records >= TARGET_RECORDS else f"; they are set for {TARGET_RECORDS:,} records"
    out(f"targets ({records:,} records{scale})")
    for t in found:
        mark = "pending" if t.met is None else ("met" if t.met else "MISSED")
        out(f"  [{mark:^7}] {t.text}")
    return found


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the engine against a hand-written SQLAlchemy model of the same module."
    )
    parser.add_argument("--database-url", help="a new SQLite file, or a PostgreSQL server to use")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="use $TEST_DATABASE_URL when no --database-url is given (scripts/with-postgres.sh)",
    )
    parser.add_argument("--records", type=int, default=TARGET_RECORDS, help="tallies to load")
    parser.add_argument("--batch", type=int, default=1000, help="records per call and transaction")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each query")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before those")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.postgres and not args.database_url:
        args.database_url = os.environ.get("TEST_DATABASE_URL")
        if not args.database_url:
            parser.error("--postgres needs TEST_DATABASE_URL (scripts/with-postgres.sh sets it)")
    if min(args.records, args.batch, args.runs) < 1 or args.warmup < 0:
        parser.error("--records, --batch and --runs must be at least 1, --warmup at least 0")
    return args


def check_indexes(factory: sessionmaker[Session]) -> None:
    """Warn when the baseline's hand-written indexes drift from those the engine creates."""
    rename = {"project": "project_id", "crew": "crew_id"}
    with factory() as session:
        main = load_catalog(session).tables["labour"].main
    ours = {tuple(rename.get(c.name, c.name) for c in ix.columns) for ix in main.indexes}
    theirs = set(baseline.index_columns())
    if ours != theirs:
        say(
            f"warning: the baseline's indexes differ from the engine's: engine only "
            f"{sorted(ours - theirs)}, baseline only {sorted(theirs - ours)}"
        )


def run(engine: Engine, args: argparse.Namespace) -> int:
    upgrade_database(engine)
    baseline.create_tables(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        import_pack(session, LABOUR_PACK)
    check_indexes(factory)
    backend = server_version(engine)
    say(f"loading {args.records:,} records into {backend} on both sides ...")
    load_result = load(factory, args.records, args.batch)
    refresh_statistics(engine)
    log = StatementLog(engine)
    with factory() as session:
        rebar = list_records(session, "labour", ACTOR, trade_page(1)).total
        module = load_catalog(session).module("labour")
    link_columns = sum(
        1 for name in module.ui.list.columns if (f := module.field(name)) and f.kind == "link"
    )
    deep_page = min(DEEP_PAGE, max(1, math.ceil(rebar / PER_PAGE)))

    results: list[Result] = []
    page_statements: Statements = []
    try:
        for case in cases(deep_page):
            say(f"timing {case.name} ...")
            result, ours, theirs = run_case(case, factory, log, args.runs, args.warmup)
            results.append(result)
            if case.kind == "page" and not page_statements:
                page_statements = ours
            if case.kind == "totals" and ours:
                results.append(totals_statement_case(engine, ours, theirs, args.runs, args.warmup))
    except Mismatch as exc:
        say(f"engine and baseline disagree, so nothing is compared: {exc}")
        return 2
    say("paging through the whole table under tracemalloc ...")
    memory = measure_memory(factory, args.records)
    found = print_report(
        backend, load_result, results, page_statements, link_columns, memory, args.runs, args.warmup
    )
    return 1 if args.strict and any(t.met is False for t in found) else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with scratch_database(args.database_url, args.keep) as url:
        engine = make_engine(url)
        try:
            return run(engine, args)
        finally:
            engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
