"""Concurrent reads: requests per second and latency of one list endpoint under gunicorn.

The question: do reads run in parallel? The engine's REST list endpoint
(`GET /api/v1/modules/labour/records?filter[trade]=rebar&sort=-date&per_page=20`, with a
bearer token) and a hand-written Flask + SQLAlchemy app over the same rows
(`baseline_app.py`, no authentication) each run under gunicorn with the same number of sync
workers on the same database. Eight client threads send requests back to back, one
connection each (gunicorn's sync workers close it after every answer), for a fixed time;
the two servers take turns (A B A B ...) so a busy machine hits both alike. Printed: requests
per second, the 50th and 99th percentile latency, how many cores the server's workers kept
busy (their CPU seconds over the wall seconds: 2.0 is two workers running side by side) and
their CPU time per request, for each side, and the ratios.

    .venv/bin/python benchmarks/concurrency.py                      # SQLite, temporary file
    scripts/with-postgres.sh .venv/bin/python benchmarks/concurrency.py --postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import baseline
from benchmarks.harness import refresh_statistics, scratch_database, server_version
from benchmarks.pack import LABOUR_PACK
from benchmarks.records import load
from engine import accounts
from engine.db import make_engine, make_session_factory, transaction
from engine.migrate import upgrade_database
from engine.packs import import_pack

ROOT = Path(__file__).resolve().parents[1]
ENGINE_PATH = "/api/v1/modules/labour/records?filter[trade]=rebar&sort=-date&per_page=20"
BASELINE_PATH = "/labour?trade=rebar&per_page=20"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Server:
    """One gunicorn server: its name, port, path to ask for and headers to send."""

    name: str
    port: int
    path: str
    headers: dict[str, str]
    process: subprocess.Popen[bytes] | None = None


@dataclass
class Round:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of the server's worker processes


def cpu_seconds(master: int) -> float:
    """User + system CPU seconds of the gunicorn master's worker processes (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # fields after the name: state, ppid, ...
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ask(server: Server) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request("GET", server.path, headers=server.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextmanager
def serving(server: Server, app: str, workers: int, env: dict[str, str]) -> Iterator[Server]:
    """Start gunicorn for `app`, wait until it answers, stop it afterwards."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind"]
    command += [f"127.0.0.1:{server.port}", "--no-control-socket", app]
    server.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = ask(server)
                break
            except OSError:
                if time.monotonic() > deadline or server.process.poll() is not None:
                    raise SystemExit(f"{server.name} did not start") from None
                time.sleep(0.2)
        if status != 200:
            raise SystemExit(f"{server.name} answered {status}")
        yield server
    finally:
        server.process.terminate()
        server.process.wait(30)


def hammer(server: Server, clients: int, seconds: float) -> Round:
    """`clients` threads asking back to back for `seconds`; every latency kept."""
    result = Round()
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        errors = 0
        while time.monotonic() < end:
            started = time.perf_counter()
            try:
                status, _ = ask(server)
            except OSError:
                status = 0
            mine.append((time.perf_counter() - started) * 1000)
            errors += status != 200
        with lock:
            result.latencies_ms.extend(mine)
            result.errors += errors

    threads = [threading.Thread(target=client) for _ in range(clients)]
    assert server.process is not None
    cpu_before = cpu_seconds(server.process.pid)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    result.cpu_seconds = cpu_seconds(server.process.pid) - cpu_before
    return result


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def prepare(url: str, records: int) -> str:
    """Load the rows on both sides; the token of an admin for the engine's API."""
    engine = make_engine(url)
    try:
        upgrade_database(engine)
        baseline.create_tables(engine)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            import_pack(session, LABOUR_PACK)
        say(f"loading {records:,} records into {server_version(engine)} on both sides ...")
        load(factory, records, 1000)
        refresh_statistics(engine)
        with transaction(factory) as session:
            accounts.create_user(session, "bench", "bench-password-1", roles=["admin"])
            return accounts.create_token(session, "bench", "benchmark")
    finally:
        engine.dispose()


def same_answer(ours: Server, theirs: Server) -> None:
    a, b = (json.loads(ask(s)[1]) for s in (ours, theirs))
    if (a["total"], len(a["items"])) != (b["total"], len(b["items"])):
        raise SystemExit(f"different answers: {a['total']} vs {b['total']} records")


def report(sides: dict[str, Round], args: argparse.Namespace, backend: str) -> None:
    load_average = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{backend}, {args.records:,} records, {args.workers} gunicorn workers each, ")
    print(f"{args.clients} clients, {args.rounds} x {args.seconds:g} s a side in turns")
    print(f"{os.cpu_count()} cores, load average {load_average}\n")
    print("| server | requests/s | p50 ms | p99 ms | cores busy | CPU ms a request | errors |")
    print("|---|---|---|---|---|---|---|")
    figures = {}
    for name, result in sides.items():
        rate = len(result.latencies_ms) / result.seconds
        p50 = statistics.median(result.latencies_ms)
        p99 = percentile(result.latencies_ms, 0.99)
        figures[name] = (rate, p50, p99)
        cores = result.cpu_seconds / result.seconds
        cost = result.cpu_seconds * 1000 / max(1, len(result.latencies_ms))
        print(
            f"| {name} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {cores:.2f} | {cost:.1f} "
            f"| {result.errors} |"
        )
    (r1, a1, b1), (r2, a2, b2) = figures.values()
    print(
        f"\nengine / hand-written: throughput {r1 / r2:.2f}x, p50 {a1 / a2:.2f}x, p99 {b1 / b2:.2f}x"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of one turn")
    parser.add_argument("--rounds", type=int, default=3)
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
        token = prepare(url, args.records)
        backend = server_version(make_engine(url))
        ours = Server("engine", free_port(), ENGINE_PATH, {"Authorization": f"Bearer {token}"})
        theirs = Server("hand-written", free_port(), BASELINE_PATH, {})
        env = {"DATABASE_URL": url, "BASELINE_DATABASE_URL": url, "SECRET_KEY": "bench"}
        with (
            serving(ours, "web:create_app()", args.workers, env),
            serving(theirs, "benchmarks.baseline_app:create_app()", args.workers, env),
        ):
            same_answer(ours, theirs)
            for server in (ours, theirs):
                hammer(server, args.clients, 2.0)  # warm up: caches, pools, catalog
            sides = {ours.name: Round(), theirs.name: Round()}
            for turn in range(args.rounds):
                for server in (ours, theirs):
                    say(f"round {turn + 1}: {server.name} ...")
                    result = hammer(server, args.clients, args.seconds)
                    side = sides[server.name]
                    side.latencies_ms += result.latencies_ms
                    side.errors += result.errors
                    side.seconds += result.seconds
                    side.cpu_seconds += result.cpu_seconds
        report(sides, args, backend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
