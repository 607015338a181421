"""Importing an XLSX file of labour tallies end to end: how fast, and whether memory stays flat.

The file is written with openpyxl's write-only mode from benchmarks/pack.py's tallies: one
sheet row per work item, the tally's columns repeated on each of its rows and gathered by
the number column (docs/importing.md), links named by title, the trade by its title, dates
as date cells. For each size (10k, 50k, 100k sheet rows) four runs, each in a process of
its own so that its peak resident memory (getrusage's maxrss) is its own:

- read: `read_table` alone (the file's checks, openpyxl's streaming reader, the rows' values);
- convert: reading, then the column map, the lookups and every cell converted, the rows
  gathered into tallies (what `apply_import` does before it writes);
- stream: the same reading and converting, streamed (`stream_table`, `convert_rows`): the
  rows are converted 500 at a time as the file is read and let go, as a streaming import
  would hand them to the writer — this is the reading and converting side's own memory;
- import: `apply_import` on a fresh database holding the pack, its projects and crews.

Sheet rows per second and peak memory in MiB go to stdout, and converting alone: the convert
run's CPU seconds less the read run's.

    .venv/bin/python benchmarks/imports.py                    # SQLite: 10k, 50k, 100k rows
    .venv/bin/python benchmarks/imports.py --rows 10000       # one size
    scripts/with-postgres.sh .venv/bin/python benchmarks/imports.py --postgres
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import scratch_database
from benchmarks.pack import LABOUR_PACK, PACK_ID, crew_rows, labour_rows, project_rows

SIZES = (10_000, 50_000, 100_000)
PHASES = ("read", "convert", "stream", "import")
MODULE = "labour"
HEADERS = ["number", "project", "crew", "date", "worker", "trade", "overtime_reason", "tags"]
HEADERS += ["checked", "notes", "items.task", "items.hours", "items.rate"]


def sheet_rows(count: int) -> Iterator[list[Any]]:
    """`count` sheet rows: each tally's items on rows of their own, its columns repeated."""
    projects = [p["name"] for p in project_rows()]
    crews = [c["name"] for c in crew_rows()]
    written = 0
    for number, tally in enumerate(labour_rows(count), start=1):
        parent = [
            f"T-{number}",
            projects[tally["project"]],
            crews[tally["crew"]],
            tally["date"],
            tally["worker"],
            "钢筋" if tally["trade"] == "rebar" else tally["trade"],
            tally["overtime_reason"],
            ", ".join(tally["tags"]),
            "是" if tally["checked"] else "否",
            tally["notes"],
        ]
        for item in tally["items"]:
            yield [*parent, item["task"], float(item["hours"]), float(item["rate"])]
            written += 1
            if written == count:
                return


def write_file(path: Path, count: int) -> Path:
    """The XLSX file of `count` sheet rows, written row by row (write-only mode)."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("labour")
    sheet.append(HEADERS)
    for row in sheet_rows(count):
        row[3] = dt.date.fromisoformat(row[3])
        sheet.append(row)
    book.save(path)
    return path


def _database(url: str, cache_mib: int | None = None) -> Any:
    """The pack, its projects and crews in the database at `url`; its session factory.
    `cache_mib` sets SQLite's page cache (the server's 64 MiB otherwise)."""
    from engine.actor import SYSTEM
    from engine.db import make_engine, make_session_factory, transaction
    from engine.migrate import upgrade_database
    from engine.packs import import_pack
    from engine.records.service import create_records

    upgrade_database(url)
    engine = make_engine(url)
    if cache_mib is not None and url.startswith("sqlite"):
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _cache(connection: Any, _: Any) -> None:  # after the engine's own pragmas
            connection.execute(f"PRAGMA cache_size=-{cache_mib * 1024}")

    factory = make_session_factory(engine)
    with transaction(factory) as session:
        import_pack(session, LABOUR_PACK)
        create_records(session, "project", project_rows(), SYSTEM)
        create_records(session, "crew", crew_rows(), SYSTEM)
    return factory


def _convert(session: Any, path: Path) -> int:
    """Everything `apply_import` does before it writes; returns the number of tallies."""
    from engine.abilities import abilities
    from engine.actor import SYSTEM
    from engine.catalog import load_catalog
    from engine.imports.children import gather_rows, group_header
    from engine.imports.mapping import map_columns
    from engine.imports.rows import build_rows
    from engine.imports.sources import read_table

    catalog = load_catalog(session)
    module = catalog.module(MODULE)
    table = read_table(path)
    columns = map_columns(module, table.headers, abilities(SYSTEM, module)).columns
    rows = build_rows(session, catalog, module, table, columns, SYSTEM)
    problems = [p for r in rows for p in r.problems]
    if problems:
        raise SystemExit(f"the benchmark's file has problems: {problems[:3]}")
    group = group_header(columns, None, next(h for h, t in columns.items() if t == "$number"))
    return sum(1 for _ in gather_rows(module, table, columns, rows, group))


START_CPU = 0.0


def _start_cpu() -> None:
    """CPU seconds are counted from here: the machine may be busy with other work, which
    the wall-clock figure includes and this one does not."""
    global START_CPU
    usage = resource.getrusage(resource.RUSAGE_SELF)
    START_CPU = usage.ru_utime + usage.ru_stime


def _stream(session: Any, path: Path) -> int:
    """Reading and converting streamed, each row let go once converted; returns the rows."""
    from engine.abilities import abilities
    from engine.actor import SYSTEM
    from engine.catalog import load_catalog
    from engine.imports.mapping import map_columns
    from engine.imports.rows import convert_rows
    from engine.imports.sources import stream_table

    catalog = load_catalog(session)
    module = catalog.module(MODULE)
    table, rows = stream_table(path)
    columns = map_columns(module, table.headers, abilities(SYSTEM, module)).columns
    count = 0
    for row in convert_rows(session, catalog, module, table.headers, rows, columns, SYSTEM):
        if row.problems:
            raise SystemExit(f"the benchmark's file has problems: {row.problems[:3]}")
        count += 1
    return count


def run_phase(
    phase: str, path: Path, server: str | None, cache_mib: int | None = None
) -> dict[str, Any]:
    """One phase on the file at `path`, in this process: seconds, peak memory, counts."""
    from engine.actor import SYSTEM
    from engine.db import transaction
    from engine.imports import apply_import
    from engine.imports.sources import read_table

    if phase == "read":
        _start_cpu()
        start = time.perf_counter()
        rows = len(read_table(path).rows)
        return _figures(start, rows=rows)
    with scratch_database(server) as url:
        factory = _database(url, cache_mib)
        with transaction(factory) as session:
            _start_cpu()
            start = time.perf_counter()
            if phase == "convert":
                return _figures(start, records=_convert(session, path))
            if phase == "stream":
                return _figures(start, rows=_stream(session, path))
            result = apply_import(session, MODULE, path, SYSTEM)
            figures = _figures(start, records=result.created)
            problems = [p.as_dict() for p in result.problems[:3]]
        if problems:
            raise SystemExit(f"the import found problems: {problems}")
        return figures


def _figures(start: float, **counts: int) -> dict[str, Any]:
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - START_CPU
    return {"seconds": seconds, "cpu": cpu, "peak_mib": usage.ru_maxrss / 1024, **counts}


def measure(count: int, server: str | None, cache_mib: int | None, phases: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="formwork-import-") as folder:
        path = write_file(Path(folder) / f"labour-{count}.xlsx", count)
        size = path.stat().st_size / 1024 / 1024
        print(f"{count:,} sheet rows ({size:.1f} MiB)")
        cpu: dict[str, float] = {}
        for phase in phases:
            command = [sys.executable, __file__, "--phase", phase, "--file", str(path)]
            if server:
                command.append("--postgres")
            if cache_mib is not None:
                command += ["--sqlite-cache-mib", str(cache_mib)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"{phase} failed:\n{done.stderr}")
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            rate = count / figures["seconds"]
            extra = f", {figures['records']:,} tallies" if "records" in figures else ""
            print(
                f"  {phase:8} {figures['seconds']:7.1f} s ({figures['cpu']:6.1f} s CPU) "
                f"{rate:9,.0f} rows/s, peak {figures['peak_mib']:6.0f} MiB{extra}"
            )
            cpu[phase] = figures["cpu"]
        if "convert" not in cpu or "read" not in cpu:
            return
        alone = cpu["convert"] - cpu["read"]
        print(
            f"  converting alone (convert less read): {alone:.1f} s CPU, {count / alone:,.0f} rows/s"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="sheet rows (repeatable)")
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL's server")
    parser.add_argument(
        "--sqlite-cache-mib",
        type=int,
        help="SQLite's page cache in MiB (64 otherwise): it fills as the database grows, so "
        "a small one shows the import's own memory",
    )
    parser.add_argument("--phases", default=",".join(PHASES), help="which runs (comma separated)")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    server = os.environ.get("TEST_DATABASE_URL") if args.postgres else None
    if args.postgres and not server:
        raise SystemExit("--postgres needs TEST_DATABASE_URL (scripts/with-postgres.sh sets it)")
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.file, server, args.sqlite_cache_mib)))
        return
    cache = f", page cache {args.sqlite_cache_mib} MiB" if args.sqlite_cache_mib else ""
    print(f"pack {PACK_ID}, module {MODULE}; {'PostgreSQL' if server else 'SQLite'}{cache}")
    phases = [p for p in args.phases.split(",") if p in PHASES]
    for count in args.rows or SIZES:
        measure(count, server, args.sqlite_cache_mib, phases)


if __name__ == "__main__":
    main()
