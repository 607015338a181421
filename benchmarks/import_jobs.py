"""An import of N labour tallies run as a background job, while a poller follows it.

Prints the job's time and records a second for each mode, how long the poller's `job_view`
took (median and worst) while the import was writing, the progress values it saw, and how
long one small write from another connection waited meanwhile (on SQLite an all-or-nothing
import holds the database's one write lock until it ends).

    .venv/bin/python benchmarks/import_jobs.py                     # SQLite, 20,000 tallies
    .venv/bin/python benchmarks/import_jobs.py --rows 2000         # a quick run
    scripts/with-postgres.sh .venv/bin/python benchmarks/import_jobs.py --postgres
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.harness import scratch_database, server_version
from engine.actor import SYSTEM
from engine.attachments import LocalFolder
from engine.db import make_engine, make_session_factory, transaction
from engine.imports.jobs import job_view, run_next, submit
from engine.migrate import upgrade_database
from engine.models import User
from engine.packs import import_pack

PACK = Path(__file__).resolve().parents[1] / "modules" / "construction.json"
HEADERS = "所属项目,日期,工人姓名,工种,工作内容,工时,单价（元/小时）"


def tally_file(store: LocalFolder, file_id: str, rows: int) -> None:
    lines = [HEADERS]
    lines += [f"PRJ-2026-001,2026/3/2,工人{n},钢筋工,绑扎,8,42.50" for n in range(rows)]
    store.save(file_id, [("\r\n".join(lines) + "\r\n").encode("utf-8-sig")])


def follow(
    factory: sessionmaker[Session], job_id: int, stop: threading.Event
) -> dict[str, list[float]]:
    """Poll the job as the page does (every 0.2 s)."""
    seen: dict[str, list[float]] = {"poll": [], "done": []}
    while not stop.is_set():
        start = time.perf_counter()
        with transaction(factory, write=False) as session:
            view = job_view(session, job_id, SYSTEM)
        seen["poll"].append((time.perf_counter() - start) * 1000)
        seen["done"].append(view.done)
        stop.wait(0.2)
    return seen


def write_meanwhile(
    factory: sessionmaker[Session], stop: threading.Event
) -> dict[str, list[float]]:
    """One small write every half second, as a person saving a form would."""
    seen: dict[str, list[float]] = {"write": []}
    while not stop.is_set():
        start = time.perf_counter()
        with transaction(factory) as session:
            session.execute(update(User).where(User.id == -1).values(active=True))
        seen["write"].append((time.perf_counter() - start) * 1000)
        stop.wait(0.5)
    return seen


def run(url: str, rows: int, mode: str, folder: Path) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    store = LocalFolder(folder)
    file_id = os.urandom(16).hex()
    tally_file(store, file_id, rows)
    with transaction(factory) as session:
        job_id = submit(session, "labour_tally", file_id, "tallies.csv", SYSTEM, mode=mode)
    stop = threading.Event()
    seen: dict[str, list[float]] = {}
    poller = threading.Thread(target=lambda: seen.update(follow(factory, job_id, stop)))
    writer = threading.Thread(target=lambda: seen.update(write_meanwhile(factory, stop)))
    poller.start()
    writer.start()
    start = time.perf_counter()
    run_next(factory, store, worker="bench")
    took = time.perf_counter() - start
    stop.set()
    poller.join()
    writer.join()
    with transaction(factory, write=False) as session:
        view = job_view(session, job_id, SYSTEM)
    polls, writes = seen["poll"], seen["write"] or [0.0]
    distinct = sorted(set(seen["done"]))
    print(
        f"mode {mode}: {view.status}, {view.created} created in {took:.1f} s "
        f"({view.created / took:,.0f} records/s)"
    )
    print(
        f"  poll job_view: median {statistics.median(polls):.1f} ms, worst {max(polls):.1f} ms "
        f"over {len(polls)} polls; progress values seen: {len(distinct)} "
        f"({', '.join(map(str, distinct[:6]))}{' …' if len(distinct) > 6 else ''})"
    )
    print(
        f"  a small write from another connection: median {statistics.median(writes):.1f} ms, "
        f"worst {max(writes):.1f} ms over {len(seen['write'])} tries"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL's server")
    args = parser.parse_args()
    server = os.environ.get("TEST_DATABASE_URL") if args.postgres else None
    with scratch_database(server) as url, tempfile.TemporaryDirectory() as folder:
        upgrade_database(url)
        engine = make_engine(url)
        print(f"{engine.dialect.name} {server_version(engine)}, {args.rows:,} tallies a job")
        with transaction(make_session_factory(engine)) as session:
            import_pack(session, PACK.read_text(encoding="utf-8"))
        engine.dispose()
        for mode in ("all", "valid"):
            run(url, args.rows, mode, Path(folder))


if __name__ == "__main__":
    main()
