"""Running one claimed import job to its end, and finding the jobs a dead worker left.

Mode "all" runs in ONE transaction, with the job's final row written in it: a crash leaves
the data and the job's "running" row as they were before, and the next worker marks the job
interrupted with nothing written. Its progress and heartbeat go through other connections:
on PostgreSQL a second session writes them to `import_jobs` (the import never locks the
job's row before its very end, so the two cannot wait on each other); on SQLite the import
holds the database's one write lock, so progress stays in this process (jobs_live.py) until
the end, and the lock itself shows the job is alive: no other worker can mark it until it
commits or its process dies.

Mode "valid" commits each batch together with the job's progress and counts, so after a
crash the row says how far the committed work got. A dry run is the preview: nothing kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import actor_of
from engine.actor import SYSTEM, Actor
from engine.attachments import FileStore, local_copy
from engine.db import is_sqlite, transaction
from engine.errors import FormworkError, NotFound
from engine.imports.importing import apply_import, preview
from engine.imports.jobs_live import LIVE, Beside
from engine.imports.jobs_store import as_json, stored_problems, stored_summary
from engine.imports.rejected import write_rejected
from engine.imports.result import ImportResult
from engine.imports.writing import Hooks, ImportCancelled
from engine.models import User, utcnow
from engine.models_imports import ImportJob
from engine.notifications import failures

log = logging.getLogger(__name__)

STALE = dt.timedelta(seconds=60)  # a running job whose heartbeat is older died with its worker
HEARTBEAT = 10.0  # seconds between two heartbeats (PostgreSQL)
PROGRESS_EVERY = 0.5  # seconds between two progress writes or cancel checks
# SQLite has one write lock and no queue: a writer that waited through a batch retries on its
# own clock, so after each committed batch the import pauses long enough to let it in.
YIELD_AFTER_BATCH = 0.1


def _actor(factory: sessionmaker[Session], user_id: int | None, name: str | None) -> Actor:
    """Who the job runs as: its owner as they are now (a deactivated one no longer imports)."""
    if user_id is None:
        return SYSTEM  # queued from the command line
    with transaction(factory, write=False) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise NotFound(code="unknown_user", name=name or "")
        return actor_of(user)


class _Tracker:
    """The job's progress and cancel flag as the import's hooks see them."""

    def __init__(
        self, factory: sessionmaker[Session], job_id: int, write: bool, beside: Beside | None
    ):
        self.factory, self.job_id, self.write, self.beside = factory, job_id, write, beside
        self.total = 0
        self._written = self._checked = 0.0

    def progress(self, done: int, total: int) -> None:
        self.total = total
        LIVE.report(self.job_id, done, total)
        if time.monotonic() - self._written < PROGRESS_EVERY and done < total:
            return
        self._written = time.monotonic()
        if self.beside is not None:
            self.beside.report(done, total)
        if self.write:
            with transaction(self.factory) as session:
                session.execute(
                    update(ImportJob)
                    .where(ImportJob.id == self.job_id)
                    .values(done=done, total=total, heartbeat_at=utcnow())
                )

    def cancelled(self) -> bool:
        if LIVE.cancelled(self.job_id) or (self.beside is not None and self.beside.cancelled()):
            return True
        if time.monotonic() - self._checked < PROGRESS_EVERY:
            return False
        self._checked = time.monotonic()
        with transaction(self.factory, write=False) as session:  # never waits on the import
            flag = session.scalar(
                select(ImportJob.cancel_requested).where(ImportJob.id == self.job_id)
            )
        return bool(flag)


class _Heartbeat(threading.Thread):
    """Keeps a PostgreSQL job's heartbeat fresh while it reads its file and writes."""

    def __init__(self, factory: sessionmaker[Session], job_id: int):
        super().__init__(name=f"import-{job_id}-heartbeat", daemon=True)
        self.factory, self.job_id = factory, job_id
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(HEARTBEAT):
            try:
                with transaction(self.factory) as session:
                    session.execute(
                        update(ImportJob)
                        .where(ImportJob.id == self.job_id, ImportJob.status == "running")
                        .values(heartbeat_at=utcnow())
                    )
            except SQLAlchemyError:  # the database away for a moment: the next beat may do
                log.warning("import job %s: a heartbeat was missed", self.job_id, exc_info=True)


def run_job(factory: sessionmaker[Session], store: FileStore, job_id: int) -> None:
    """Run a claimed job to its end; its row says how it ended (done, failed, cancelled)."""
    with transaction(factory, write=False) as session:
        job = session.get(ImportJob, job_id)
        assert job is not None, job_id
        options, module, file_id, file_name = (
            dict(job.options),
            job.module,
            job.file_id,
            job.file_name,
        )
        owner = (job.user_id, job.by)
        sqlite = is_sqlite(session)
        beside = Beside.of(session, job_id)
    mode = options.get("mode", "all")
    kept = mode == "valid" and not options.get("dry_run")  # its committed batches stay
    LIVE.start(job_id)
    beat = None if sqlite else _Heartbeat(factory, job_id)
    if beat is not None:
        beat.start()
    try:
        actor = _actor(factory, *owner)
        job_run = _Run(factory, store, job_id, file_name, {"mode": mode}, beside)
        job_run.kwargs |= {"encoding": options.get("encoding"), "sheet": options.get("sheet")}
        with ExitStack() as stack:
            try:
                suffix = Path(file_name).suffix.lower()
                path = stack.enter_context(local_copy(store, file_id, suffix))
            except FileNotFoundError:
                raise NotFound(code="import_file_missing", name=file_name) from None
            args = (module, path, actor, options.get("mapping") or None, options.get("key"))
            if options.get("dry_run"):
                job_run.preview(args)
            elif mode == "valid":
                job_run.valid(args)
            else:
                job_run.all(args, write_progress=not sqlite)
    except ImportCancelled as cancelled:
        _cancelled(factory, store, job_id, file_name, cancelled, kept)
    except FormworkError as error:
        _failed(factory, job_id, error, kept)
    except Exception as error:  # recorded, then left to the worker loop to report
        _failed(factory, job_id, error, kept)
        raise
    finally:
        if beat is not None:
            beat.stopping.set()
            beat.join()
        LIVE.finish(job_id)
        if beside is not None:
            beside.clear()


class _Run:
    """The three ways a job runs: preview, all-or-nothing, valid rows batch by batch."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        store: FileStore,
        job_id: int,
        file_name: str,
        kwargs: dict[str, Any],
        beside: Beside | None,
    ):
        self.factory, self.store, self.job_id = factory, store, job_id
        self.file_name, self.kwargs, self.beside = file_name, kwargs, beside

    def preview(self, args: tuple[Any, ...]) -> None:
        tracker = _Tracker(self.factory, self.job_id, False, self.beside)
        hooks = Hooks(progress=tracker.progress, cancelled=tracker.cancelled)
        with transaction(self.factory) as session:
            result = preview(session, *args, hooks=hooks, **self.kwargs)
            _record(session, self.job_id, result, "done", tracker.total)

    def all(self, args: tuple[Any, ...], *, write_progress: bool) -> None:
        tracker = _Tracker(self.factory, self.job_id, write_progress, self.beside)
        hooks = Hooks(progress=tracker.progress, cancelled=tracker.cancelled)
        with transaction(self.factory) as session:
            result = apply_import(session, *args, hooks=hooks, **self.kwargs)
            rejected = _save_rejected(self.store, self.file_name, result)
            status = "done" if result.written else "failed"
            _record(session, self.job_id, result, status, tracker.total, rejected)

    def valid(self, args: tuple[Any, ...]) -> None:
        tracker = _Tracker(self.factory, self.job_id, False, self.beside)
        with self.factory() as session:
            sqlite = is_sqlite(session)

            def commit(result: ImportResult, done: int) -> None:
                session.execute(
                    update(ImportJob)
                    .where(ImportJob.id == self.job_id)
                    .values(heartbeat_at=utcnow(), **_counts(result, done, tracker.total))
                )
                session.commit()
                if sqlite:
                    time.sleep(YIELD_AFTER_BATCH)  # the writers queued meanwhile go first

            hooks = Hooks(progress=tracker.progress, cancelled=tracker.cancelled, commit=commit)
            try:
                result = apply_import(session, *args, hooks=hooks, **self.kwargs)
                rejected = _save_rejected(self.store, self.file_name, result)
                status = "done" if result.written or not result.problems else "failed"
                _record(session, self.job_id, result, status, tracker.total, rejected)
                session.commit()
            except BaseException:
                session.rollback()  # the batch under way; those committed stay
                raise


def _counts(result: ImportResult, done: int, total: int) -> dict[str, int]:
    written = result.created + result.updated + result.unchanged
    return {
        "done": done,
        "total": total,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": max(done - written, len(result.rejected)),
    }


def _record(
    session: Session,
    job_id: int,
    result: ImportResult,
    status: str,
    total: int,
    rejected_file: str | None = None,
) -> None:
    """The job's end, written in the import's own transaction (atomic with its data)."""
    values: dict[str, Any] = _counts(result, total, total)
    values["rejected"] = len(result.rejected)
    if status == "failed":  # mode "all" refused: nothing stays
        count = len(result.rejected) or len(result.problems)
        values.update(created=0, updated=0, unchanged=0)
        values.update(error_code="import_rows_refused", error_params={"count": count})
    session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(
            status=status,
            problems=stored_problems(result.problems),
            summary=stored_summary(session, result),
            rejected_file_id=rejected_file,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
            **values,
        )
    )
    if status == "failed":
        failures.import_failed(session, job_id)


def _save_rejected(store: FileStore, file_name: str, result: ImportResult) -> str | None:
    """The rejected rows as a file in the store (XLSX for a workbook, else CSV); its id."""
    if not (result.rejected or result.orphans):  # child rows of no record come along too
        return None
    suffix = ".xlsx" if file_name.lower().endswith(".xlsx") else ".csv"
    file_id = secrets.token_hex(16)
    handle, name = tempfile.mkstemp(suffix=suffix)
    os.close(handle)
    try:
        write_rejected(result, name)
        with open(name, "rb") as stream:
            store.save(file_id, iter(lambda: stream.read(1024 * 1024), b""))
    finally:
        Path(name).unlink(missing_ok=True)
    return file_id


def _cancelled(
    factory: sessionmaker[Session],
    store: FileStore,
    job_id: int,
    file_name: str,
    cancelled: ImportCancelled,
    kept: bool,
) -> None:
    """Mode "all" (and a dry run) kept nothing; mode "valid" kept its committed batches:
    the row says so."""
    result = cancelled.result
    if kept:
        values: dict[str, Any] = _counts(result, cancelled.done, cancelled.total)
        values["rejected_file_id"] = _save_rejected(store, file_name, result)
        values["problems"] = stored_problems(result.problems)
    else:
        values = {"done": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    values["error_params"] = {"done": cancelled.done, "total": cancelled.total}
    with transaction(factory) as session:
        session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(
                status="cancelled",
                error_code="import_cancelled",
                finished_at=utcnow(),
                **values,
            )
        )


def _failed(factory: sessionmaker[Session], job_id: int, error: Exception, kept: bool) -> None:
    """The job failed: its error, and — unless its committed batches stay (mode "valid") —
    nothing counted, since nothing was written."""
    if isinstance(error, FormworkError) and error.problems:
        first = error.problems[0]
        code, params = first.code, dict(first.params)
    else:
        log.exception("import job %s failed", job_id)
        code, params = "import_failed", {"detail": type(error).__name__}
    with transaction(factory) as session:
        session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(
                status="failed",
                error_code=code,
                error_params=as_json(params),
                finished_at=utcnow(),
                **({} if kept else {"done": 0, "created": 0, "updated": 0, "unchanged": 0}),
            )
        )
        failures.import_failed(session, job_id)


def interrupt_stale(factory: sessionmaker[Session], stale: dt.timedelta = STALE) -> list[int]:
    """Mark the running jobs whose worker died (no heartbeat for `stale`) interrupted, with
    what they committed: nothing for mode "all", the committed batches for mode "valid"."""
    cutoff = utcnow() - stale
    found = []
    with transaction(factory) as session:
        jobs = session.scalars(
            select(ImportJob).where(ImportJob.status == "running", ImportJob.heartbeat_at < cutoff)
        ).all()
        for job in jobs:
            kept = job.options.get("mode") == "valid" and not job.options.get("dry_run")
            values: dict[str, Any] = {
                "status": "interrupted",
                "finished_at": utcnow(),
                "error_code": "import_interrupted",
                "error_params": {"done": job.done if kept else 0, "total": job.total or 0},
            }
            if not kept:
                values.update(done=0, created=0, updated=0, unchanged=0, rejected=0)
            changed = session.execute(
                update(ImportJob)
                .where(
                    ImportJob.id == job.id,
                    ImportJob.status == "running",
                    ImportJob.heartbeat_at < cutoff,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if changed.rowcount == 1:  # type: ignore[attr-defined]  # a CursorResult
                found.append(job.id)
        failures.import_jobs_failed(session, found)
    return found
