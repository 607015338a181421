"""HTTP batch benchmark: records per second through `POST .../records:batch`, end to end.

The question: what does the HTTP layer add on top of the engine's bulk `create_records`?
The app runs under `formwork serve` (gunicorn, as deployed) on a scratch database with the
benchmark's labour pack (benchmarks/pack.py); an admin's API token signs every request.
Batches of 1,000 labour tallies with two task rows each are encoded once, before timing,
as an integrator would send them. Then, batch by batch and taking turns (A B C A B C ...,
so a busy machine hits all alike):

- **engine**: `create_records` called directly on the same rows, one transaction a batch —
  the engine's share, with no HTTP, no authentication and no answer;
- **HTTP, full answer**: the batch posted, answered 201 with every written record;
- **HTTP, `Prefer: return=minimal`**: answered with ids, versions and numbers only.

Printed: records/s and milliseconds a batch of each, the engine's share of an HTTP batch,
then the same posts from 2 and 4 concurrent clients (wall-clock records/s).

    .venv/bin/python benchmarks/http_batch.py                     # SQLite, temporary file
    scripts/with-postgres.sh .venv/bin/python benchmarks/http_batch.py --postgres
    .venv/bin/python benchmarks/http_batch.py --records 3000      # a quick smoke run
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session, sessionmaker

from benchmarks.concurrency import ROOT, Server, ask, cpu_seconds, free_port
from benchmarks.harness import Timing, scratch_database, server_version, timed_ms
from benchmarks.pack import LABOUR_PACK, crew_rows, labour_rows, project_rows
from engine import accounts
from engine.actor import actor
from engine.db import make_engine, make_session_factory, transaction
from engine.exactjson import dumps
from engine.migrate import upgrade_database
from engine.packs import import_pack
from engine.records.service import create_records

ACTOR = actor("lee", "admin")
PATH = "/api/v1/modules/labour/records:batch"
CHILD_ROWS = 2
MINIMAL = {"Prefer": "return=minimal"}
TARGET_RATE = 3_000.0  # records/s over HTTP, the target


def say(message: str) -> None:
    """Progress, on stderr, so stdout holds only the report."""
    sys.stdout.flush()
    print(message, file=sys.stderr, flush=True)


def prepare(url: str) -> tuple[str, list[str], list[str]]:
    """The schema, the pack, its projects and crews, an admin and their API token."""
    engine = make_engine(url)
    try:
        upgrade_database(engine)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            import_pack(session, LABOUR_PACK)
            projects = create_records(session, "project", project_rows(), ACTOR)
            crews = create_records(session, "crew", crew_rows(), ACTOR)
            accounts.create_user(session, "bench", "bench-password-1", roles=["admin"])
            token = accounts.create_token(session, "bench", "benchmark")
        return token, projects, crews
    finally:
        engine.dispose()


def batches(count: int, size: int, projects: list[str], crews: list[str]) -> list[list[Any]]:
    """`count` tallies in batches of `size`, two task rows each, links as real ids."""
    rows = []
    for row in labour_rows(count):
        items = (row["items"] * CHILD_ROWS)[:CHILD_ROWS]
        late = sum(item["hours"] for item in items) > 8  # the pack asks why, past 8 hours
        rows.append(
            {
                **row,
                "project": projects[row["project"]],
                "crew": crews[row["crew"]],
                "items": items,
                "overtime_reason": "finished the pour" if late else None,
            }
        )
    return [rows[start : start + size] for start in range(0, count, size)]


@contextmanager
def serving(server: Server, workers: int, env: dict[str, str]) -> Iterator[Server]:
    """`formwork serve` (gunicorn, as deployed) on the server's port, until the block ends."""
    command = [sys.executable, "-m", "web", "serve", "--port", str(server.port)]
    command += ["--workers", str(workers)]
    server.process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = ask(server)
                break
            except OSError:
                if time.monotonic() > deadline or server.process.poll() is not None:
                    raise SystemExit("formwork serve did not start") from None
                time.sleep(0.2)
        if status != 200:
            raise SystemExit(f"formwork serve answered {status}")
        yield server
    finally:
        server.process.terminate()
        server.process.wait(30)


def body_of(rows: list[Any]) -> bytes:
    return dumps({"records": [{"data": row} for row in rows]}).encode()


def post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("POST", PATH, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def posted(port: int, body: bytes, headers: dict[str, str], size: int) -> Callable[[], None]:
    """A call posting one batch that fails loudly unless all `size` records come back."""

    def call() -> None:
        status, answer = post(port, body, headers)
        if status != 201:
            raise SystemExit(f"the batch was answered {status}: {answer[:300]!r}")
        if len(json.loads(answer)["items"]) != size:
            raise SystemExit("the answer does not hold every written record")

    return call


@dataclass
class Side:
    """Wall-clock and CPU milliseconds of each batch of one way of writing."""

    wall: Timing = field(default_factory=Timing)
    cpu: Timing = field(default_factory=Timing)  # of the process doing the work

    def rate(self, batch: int) -> float:
        return batch * len(self.wall.samples_ms) / (sum(self.wall.samples_ms) / 1000)


def in_turns(
    factory: sessionmaker[Session], server: Server, work: list[list[Any]]
) -> dict[str, Side]:
    """Each batch through the engine, over HTTP in full and over HTTP minimal, in turns.

    CPU time is counted where the work is done: this process for the engine, the server's
    workers for HTTP. On a busy machine it moves much less than wall time, so the HTTP
    layer's own cost is read from it.
    """
    assert server.process is not None
    master = server.process.pid
    sides = {"engine": Side(), "HTTP, full answer": Side(), "HTTP, return=minimal": Side()}
    for number, rows in enumerate(work, 1):
        say(f"batch {number} of {len(work)} ...")
        body = body_of(rows)

        def engine(rows: list[Any] = rows) -> None:
            with transaction(factory) as session:
                create_records(session, "labour", rows, ACTOR)

        started = time.process_time()
        sides["engine"].wall.samples_ms.append(timed_ms(engine))
        sides["engine"].cpu.samples_ms.append((time.process_time() - started) * 1000)
        for name, extra in (("HTTP, full answer", {}), ("HTTP, return=minimal", MINIMAL)):
            before = cpu_seconds(master)
            call = posted(server.port, body, {**server.headers, **extra}, len(rows))
            sides[name].wall.samples_ms.append(timed_ms(call))
            sides[name].cpu.samples_ms.append((cpu_seconds(master) - before) * 1000)
    return sides


def side_by_side(port: int, headers: dict[str, str], bodies: list[bytes], clients: int) -> float:
    """Seconds for `clients` threads to post every body between them, back to back."""
    queue = list(bodies)
    lock = threading.Lock()
    failures: list[str] = []

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            status, answer = post(port, body, headers)
            if status != 201:
                failures.append(f"{status}: {answer[:200]!r}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} batches refused, the first {failures[0]}")
    return time.perf_counter() - started


def report(
    args: argparse.Namespace,
    backend: str,
    sides: dict[str, Side],
    concurrent: dict[tuple[int, str], float],
) -> None:
    load_average = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{backend}, {args.records:,} records a side in batches of {args.batch:,}, ")
    print(f"{CHILD_ROWS} child rows each, gunicorn with {args.workers} sync workers")
    print(f"{os.cpu_count()} cores, load average {load_average}\n")
    print("| one client | records/s | wall ms a batch: median (min) | CPU ms: median (min) |")
    print("|---|---|---|---|")
    for name, side in sides.items():
        print(
            f"| {name} | {side.rate(args.batch):,.0f} | {side.wall.median:.0f} "
            f"({side.wall.min:.0f}) | {side.cpu.median:.0f} ({side.cpu.min:.0f}) |"
        )
    engine = sides["engine"].cpu.median
    print("\nThe engine's share of an HTTP batch, and what the HTTP layer adds (CPU medians):")
    for name, side in list(sides.items())[1:]:
        extra = side.cpu.median - engine
        print(f"  {name}: engine {engine / side.cpu.median:.0%}, HTTP layer {extra:.0f} ms")
    if concurrent:
        print("\n| clients | answer | records/s |")
        print("|---|---|---|")
        for (clients, answer), rate in concurrent.items():
            print(f"| {clients} | {answer} | {rate:,.0f} |")
    best = max(side.rate(args.batch) for name, side in sides.items() if name != "engine")
    met = "met" if best >= TARGET_RATE else "missed"
    print(f"\ntarget: >= {TARGET_RATE:,.0f} records/s over HTTP, one client: {met} ({best:,.0f})")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="records a side")
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--clients", default="2,4", help="concurrent clients to try, or ''")
    parser.add_argument("--database-url", help="a new SQLite file or a PostgreSQL server")
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL")
    args = parser.parse_args(argv)
    if args.postgres:
        args.database_url = os.environ.get("TEST_DATABASE_URL") or parser.error(
            "--postgres needs TEST_DATABASE_URL (run under scripts/with-postgres.sh)"
        )
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with scratch_database(args.database_url) as url:
        token, projects, crews = prepare(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        backend = server_version(engine)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        server = Server("formwork", free_port(), "/api/v1/modules/labour", headers)
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench"}  # the time budget on, as deployed
        work = batches(args.records, args.batch, projects, crews)
        gc.collect()  # the engine's side as the served workers run: startup frozen
        gc.freeze()
        with serving(server, args.workers, env):
            posted(server.port, body_of(work[0][:10]), headers, 10)()  # warm up the workers
            sides = in_turns(factory, server, work)
            concurrent: dict[tuple[int, str], float] = {}
            bodies = [body_of(rows) for rows in work]
            for clients in (int(c) for c in args.clients.split(",") if c.strip()):
                for answer, extra in (("full", {}), ("return=minimal", MINIMAL)):
                    say(f"{clients} clients, {answer} ...")
                    seconds = side_by_side(server.port, {**headers, **extra}, bodies, clients)
                    concurrent[(clients, answer)] = args.records / seconds
        engine.dispose()
        report(args, backend, sides, concurrent)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
