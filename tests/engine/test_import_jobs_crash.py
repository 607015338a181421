"""A large import cancelled half way, and a `formwork worker` killed (SIGKILL) half way: an
all-or-nothing import leaves nothing, a valid-rows import leaves whole batches, and the job
says where it stopped."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.actor import Actor
from engine.attachments import LocalFolder
from engine.db import transaction
from engine.imports.jobs import cancel, run_next
from engine.imports.writing import BATCH
from tests.engine.test_import_jobs import people, queue, store_csv, tallies, tally_rows, view

__all__ = ["people"]  # the fixture, shared with the tests of the quiet path

ROOT = Path(__file__).resolve().parents[2]
ROWS = 20_000


def wait_for(check: Any, what: str, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        time.sleep(0.05)
    return found


@pytest.mark.parametrize("mode", ["all", "valid"])
def test_cancel_half_way(
    session_factory: sessionmaker[Session],
    people: dict[str, Actor],
    tmp_path: Path,
    mode: str,
) -> None:
    store = LocalFolder(tmp_path / "uploads")
    before = tallies(session_factory)
    job_id = queue(
        session_factory, people["clerk"], store_csv(store, "a" * 32, tally_rows(4000)), mode=mode
    )
    worker = threading.Thread(target=run_next, args=(session_factory, store))
    worker.start()
    clerk = people["clerk"]
    wait_for(lambda: view(session_factory, job_id, clerk).done >= BATCH, "a first batch")
    with transaction(session_factory, write=False) as session:  # as a poll would: no lock
        cancel(session, job_id, clerk)
    worker.join()
    job = view(session_factory, job_id, clerk)
    assert job.status == "cancelled" and job.error is not None
    assert job.error.code == "import_cancelled"
    if mode == "all":
        assert (job.created, job.done) == (0, 0) and tallies(session_factory) == before
    else:
        assert 0 < job.created < 4000 and job.created % BATCH == 0 and job.done == job.created
        assert tallies(session_factory) == before + job.created
        assert job.error.params["done"] == job.created


def _worker(database_url: str, uploads: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=database_url, FORMWORK_UPLOADS=str(uploads))
    env["SECRET_KEY"] = "test"
    return subprocess.Popen(
        [sys.executable, "-m", "web", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.parametrize("mode", ["all", "valid"])
def test_a_worker_killed_half_way_leaves_all_or_whole_batches(
    database_url: str,
    session_factory: sessionmaker[Session],
    people: dict[str, Actor],
    tmp_path: Path,
    mode: str,
) -> None:
    uploads = tmp_path / "uploads"
    store = LocalFolder(uploads)
    before = tallies(session_factory)
    file_id = store_csv(store, "b" * 32, tally_rows(ROWS))
    job_id = queue(session_factory, people["clerk"], file_id, mode=mode)
    clerk = people["clerk"]
    worker = _worker(database_url, uploads)
    try:
        wait_for(lambda: view(session_factory, job_id, clerk).status == "running", "the claim")
        wait_for(lambda: view(session_factory, job_id, clerk).done >= 2 * BATCH, "batches")
        assert view(session_factory, job_id, clerk).status == "running", "finished too soon"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
        output = worker.communicate(timeout=30)[0].decode()
    assert worker.returncode == -signal.SIGKILL, output
    kept = tallies(session_factory) - before
    stopped = view(session_factory, job_id, clerk)
    assert stopped.status == "running"  # nobody has looked yet
    assert run_next(session_factory, store, stale=dt.timedelta(0)) is None
    job = view(session_factory, job_id, clerk)
    assert job.status == "interrupted" and job.error is not None
    assert job.error.code == "import_interrupted"
    if mode == "all":
        assert kept == 0 and (job.done, job.created) == (0, 0)
    else:
        assert 0 < kept < ROWS and kept % BATCH == 0
        assert job.done == job.created == kept and job.error.params["done"] == kept


def test_a_job_in_another_process_shows_its_progress_and_stops_when_cancelled(
    database_url: str,
    session_factory: sessionmaker[Session],
    people: dict[str, Actor],
    tmp_path: Path,
) -> None:
    """The page's poll and its Cancel button are served by another process than the worker:
    neither waits for the all-or-nothing import's write lock."""
    uploads = tmp_path / "uploads"
    store = LocalFolder(uploads)
    before = tallies(session_factory)
    job_id = queue(session_factory, people["clerk"], store_csv(store, "c" * 32, tally_rows(ROWS)))
    clerk = people["clerk"]
    worker = _worker(database_url, uploads)
    try:
        seen = wait_for(lambda: view(session_factory, job_id, clerk).done, "progress", 60)
        assert 0 < seen < ROWS and view(session_factory, job_id, clerk).total == ROWS
        started = time.monotonic()
        with transaction(session_factory, write=False) as session:
            cancel(session, job_id, clerk)
        assert time.monotonic() - started < 1.0  # never queued behind the import's lock
        wait_for(lambda: view(session_factory, job_id, clerk).status == "cancelled", "the stop")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=60)
    job = view(session_factory, job_id, clerk)
    assert (job.created, job.done) == (0, 0) and tallies(session_factory) == before
    assert job.error is not None and seen <= job.error.params["done"] < ROWS
