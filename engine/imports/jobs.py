"""Imports as background work: queue a file, let a worker run it, follow it, cancel it.

A page, the API or the command line `submit`s a stored file as a job (table `import_jobs`);
`formwork worker` (or the thread `formwork serve` starts) calls `run_next`, which claims one
queued job and runs it to the end through `preview` / `apply_import` — so every formula, rule,
scope and numbering applies as for a typed record (engine/imports/jobs_run.py). `job_view`
is what the page polls and the API answers; `history` is who imported what into a module.
Only the job's owner and administrators see a job; to anyone else it does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.abilities import abilities
from engine.actor import Actor
from engine.attachments import FileStore
from engine.catalog import load_catalog
from engine.errors import NotFound, PermissionDenied, Problem
from engine.imports.importing import MODES
from engine.imports.jobs_live import LIVE, Beside
from engine.imports.jobs_run import STALE, interrupt_stale, run_job
from engine.imports.jobs_store import claim_next, restore_sample
from engine.imports.problems import RowProblem
from engine.models import aware, utcnow
from engine.models_imports import ImportJob
from engine.records.model import Record

STATUSES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
FINISHED = frozenset({"done", "failed", "cancelled", "interrupted"})


@dataclass(frozen=True)
class JobView:
    """A job as its owner sees it: what was asked, how far it got, what it did."""

    id: int
    module: str
    file_id: str  # the stored file, read again by a preview or an import with other choices
    file_name: str
    headers: list[str]  # the main sheet's header row, in the file's order
    by: str | None
    mode: str
    key: str | None
    dry_run: bool
    status: str
    total: int | None
    done: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    problems: list[RowProblem]
    sample: list[Record]
    mapping: dict[str, str]
    unmapped: list[str]
    child_sheets: dict[str, dict[str, str]]
    child_headers: dict[str, list[str]]  # every column of each child sheet, mapped or not
    problem_count: int  # all the problems found; `problems` keeps the first ones
    encoding: str | None
    sheet: str | None
    rejected_file: str | None
    error: Problem | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        """How far the writing got, 0 to 100 (100 once finished)."""
        if self.finished:
            return 100
        return 0 if not self.total else min(100, self.done * 100 // self.total)


def submit(
    session: Session,
    module_id: str,
    file_id: str,
    file_name: str,
    actor: Actor,
    *,
    mapping: dict[str, str] | None = None,
    key: str | None = None,
    mode: str = "all",
    encoding: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
) -> int:
    """Queue an import of the stored file `file_id`; the caller must read and import now."""
    module = load_catalog(session).module(module_id)
    may = abilities(actor, module)
    may.require_read()
    if not may.import_:
        raise PermissionDenied(code="import_not_allowed", module=module.id)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    options = {
        "mapping": dict(mapping or {}),
        "key": key,
        "mode": mode,
        "encoding": encoding,
        "sheet": sheet,
        "dry_run": dry_run,
    }
    job = ImportJob(
        module=module.id,
        file_id=file_id,
        file_name=file_name[:255],
        user_id=actor.user_id,
        by=actor.name,
        options=options,
        status="queued",
        done=0,
        created=0,
        updated=0,
        unchanged=0,
        rejected=0,
        problems=[],
        summary={},
        cancel_requested=False,
        created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    return job.id


def _may_see(job: ImportJob, actor: Actor) -> bool:
    if actor.is_admin:
        return True
    return actor.user_id is not None and job.user_id == actor.user_id


def _readable(session: Session, job_id: int, actor: Actor) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None or not _may_see(job, actor):
        raise NotFound(code="import_job_not_found", id=job_id)
    return job


def job_view(session: Session, job_id: int, actor: Actor) -> JobView:
    """The job as its owner (or an administrator) sees it; NotFound to anyone else."""
    job = _readable(session, job_id, actor)
    return view_of(session, job)


def view_of(session: Session, job: ImportJob) -> JobView:
    options, summary = job.options or {}, job.summary or {}
    done, total = job.done, job.total
    if job.status == "running":  # SQLite: written outside the import's transaction
        beside = Beside.of(session, job.id)
        live = LIVE.progress(job.id) or (beside.progress() if beside is not None else None)
        if live is not None and live[0] >= done:
            done, total = live
    error = Problem("", job.error_code, job.error_params or {}) if job.error_code else None
    return JobView(
        id=job.id,
        module=job.module,
        file_id=job.file_id,
        file_name=job.file_name,
        headers=[str(h) for h in summary.get("headers") or []],
        by=job.by,
        mode=options.get("mode", "all"),
        key=options.get("key"),
        dry_run=bool(options.get("dry_run")),
        status=job.status,
        total=total,
        done=done,
        created=job.created,
        updated=job.updated,
        unchanged=job.unchanged,
        rejected=job.rejected,
        problems=[_row_problem(p) for p in job.problems or []],
        sample=restore_sample(session, job.module, summary.get("sample", [])),
        mapping=dict(summary.get("mapping", {})),
        unmapped=list(summary.get("unmapped", [])),
        child_sheets=dict(summary.get("child_sheets", {})),
        child_headers=dict(summary.get("child_headers", {})),
        problem_count=max(int(summary.get("problem_count", 0)), len(job.problems or [])),
        encoding=summary.get("encoding", options.get("encoding")),
        sheet=summary.get("sheet", options.get("sheet")),
        rejected_file=job.rejected_file_id,
        error=error,
        created_at=aware(job.created_at),
        started_at=aware(job.started_at) if job.started_at else None,
        finished_at=aware(job.finished_at) if job.finished_at else None,
    )


def _row_problem(stored: dict[str, Any]) -> RowProblem:
    problem = Problem(stored.get("path", ""), stored["code"], stored.get("params", {}))
    return RowProblem(stored.get("row"), stored.get("column"), problem, stored.get("sheet"))


def cancel(session: Session, job_id: int, actor: Actor) -> None:
    """Ask the job to stop: a queued one never starts; a running one stops between batches
    (mode "all" keeps nothing, mode "valid" keeps its committed batches). A finished job
    stays as it ended."""
    job = _readable(session, job_id, actor)
    if job.status in FINISHED:
        return
    LIVE.cancel(job.id)  # a job running in this process sees it at once
    if job.status == "queued":
        session.execute(
            update(ImportJob)
            .where(ImportJob.id == job.id, ImportJob.status == "queued")
            .values(status="cancelled", cancel_requested=True, finished_at=utcnow())
        )
        session.refresh(job)
        if job.status == "cancelled":
            return
    beside = Beside.of(session, job.id)
    if beside is not None:  # SQLite: seen by any process, without waiting for the write lock
        beside.cancel()
    elif not LIVE.running_here(job.id):  # the running process reads the flag between batches
        session.execute(
            update(ImportJob).where(ImportJob.id == job.id).values(cancel_requested=True)
        )


def history(session: Session, module_id: str, actor: Actor, limit: int = 50) -> list[JobView]:
    """The latest imports into the module, newest first: every one for an administrator, the
    caller's own for anyone else who may import there."""
    module = load_catalog(session).module(module_id)
    abilities(actor, module).require_read()
    statement = select(ImportJob).where(ImportJob.module == module.id)
    if not actor.is_admin:
        if actor.user_id is None:
            return []
        statement = statement.where(ImportJob.user_id == actor.user_id)
    jobs = session.scalars(statement.order_by(ImportJob.id.desc()).limit(limit))
    return [view_of(session, job) for job in jobs]


def run_next(
    factory: sessionmaker[Session],
    store: FileStore,
    *,
    worker: str = "worker",
    stale: dt.timedelta = STALE,
) -> int | None:
    """Claim one queued job and run it to the end; its id, or None when none is queued.

    Jobs left `running` by a worker that died (no heartbeat for `stale`) are marked
    interrupted first, with what they had committed.
    """
    interrupt_stale(factory, stale)
    job_id = claim_next(factory, worker)
    if job_id is None:
        return None
    run_job(factory, store, job_id)
    return job_id
