"""`formwork imports …`: the import jobs queued with `records import --background`, the list
page or the API — who imported what, and how one of them stands.

Commands act as the command line (an administrator), so they see every job.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import click

from web.cli_common import command_session, formwork_group, moment, print_table

if TYPE_CHECKING:
    from engine.attachments import FileStore
    from engine.imports.jobs import JobView


def command_store() -> FileStore:
    """The app's file store (local folder or bucket), as the server would open it."""
    from flask import has_app_context

    from web.cli_serve import app_loader
    from web.pages.uploads import file_store

    if has_app_context():
        return file_store()
    with app_loader()().app_context():
        return file_store()


def queue_file(
    module: str,
    path: Path,
    as_user: str | None,
    *,
    mapping: dict[str, str],
    key: str | None,
    mode: str,
    encoding: str | None,
    sheet: str | None,
    dry_run: bool,
) -> int:
    """Store the file and queue its import; the job's id."""
    from engine.accounts import actor_of
    from engine.actor import SYSTEM
    from engine.imports.jobs import submit
    from engine.user_lookup import get_user

    store = command_store()
    file_id = secrets.token_hex(16)
    with path.open("rb") as stream:
        store.save(file_id, iter(lambda: stream.read(1024 * 1024), b""))
    with command_session() as session:
        actor = actor_of(get_user(session, as_user)) if as_user else SYSTEM
        return submit(
            session,
            module,
            file_id,
            path.name,
            actor,
            mapping=mapping,
            key=key,
            mode=mode,
            encoding=encoding,
            sheet=sheet,
            dry_run=dry_run,
        )


@formwork_group()
def imports() -> None:
    """Follow the imports run as background work."""


def _progress(job: JobView) -> str:
    return f"{job.done}/{job.total}" if job.total is not None else "-"


@imports.command("list")
@click.argument("module", required=False)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def imports_list(module: str | None, limit: int) -> None:
    """Who imported what (into MODULE, or into every module), newest first."""
    from sqlalchemy import select

    from engine.actor import SYSTEM
    from engine.imports.jobs import history, view_of
    from engine.models_imports import ImportJob

    with command_session() as session:
        if module:
            jobs = history(session, module, SYSTEM, limit)
        else:
            found = session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit))
            jobs = [view_of(session, job) for job in found]
    if not jobs:
        click.echo("No imports yet.")
        return
    rows = [
        (
            str(j.id),
            moment(j.created_at),
            j.by or "(command line)",
            j.module,
            j.file_name,
            j.mode + (" dry run" if j.dry_run else ""),
            j.status,
            _progress(j),
            f"{j.created}/{j.updated}/{j.unchanged}/{j.rejected}",
        )
        for j in jobs
    ]
    headings = ("ID", "AT", "BY", "MODULE", "FILE", "MODE", "STATUS", "DONE")
    print_table((*headings, "NEW/UPDATED/SAME/REJECTED"), rows)


@imports.command("show")
@click.argument("job_id", type=int)
def imports_show(job_id: int) -> None:
    """How import JOB_ID stands: status, progress, counts and its problems."""
    from engine.actor import SYSTEM
    from engine.imports.jobs import job_view

    with command_session() as session:
        job = job_view(session, job_id, SYSTEM)
    click.echo(
        f"Import {job.id} of {job.file_name} into {job.module} by {job.by or '(command line)'}"
    )
    click.echo(f"Mode {job.mode}{' (dry run)' if job.dry_run else ''}, key {job.key or '-'}")
    click.echo(f"Status {job.status}: {_progress(job)} records ({job.percent}%)")
    click.echo(
        f"Created {job.created}, updated {job.updated}, unchanged {job.unchanged}, "
        f"rejected {job.rejected}."
    )
    if job.error is not None:
        click.echo(job.error.message)
    if job.rejected_file:
        click.echo(f"Rejected rows: stored file {job.rejected_file}")
    for p in job.problems:
        place = f"row {p.row}" if p.row is not None else "file"
        click.echo(f"{place}{f', {p.column}' if p.column else ''}: {p.message}")
