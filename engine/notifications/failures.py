"""Background work that failed, told to the administrators: an import job that ended failed
or interrupted (also to the user who started it), a webhook message given up after its
last attempt.

Called in the transaction that writes the failure, so the notice exists if and only if the
failure was recorded; the key (the job's, the message's id) makes it once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import ADMIN_ROLE
from engine.catalog import load_catalog
from engine.errors import Problem
from engine.models import Webhook, WebhookMessage
from engine.models_imports import ImportJob
from engine.notifications.events import notify
from engine.notifications.triggers import both, role_members


def _sentence(code: str | None, params: dict[str, Any] | None) -> str:
    """The failure as one English sentence of plain text (its code and values kept beside)."""
    return Problem("", code or "import_failed", dict(params or {})).message


def import_failed(session: Session, job_id: int, at: dt.datetime | None = None) -> int:
    """Tell the administrators and the job's user that import job `job_id` did not finish."""
    job = session.get(ImportJob, job_id)
    if job is not None:
        session.refresh(job)  # its end was written by an UPDATE statement: read it
    if job is None or job.status not in ("failed", "interrupted"):
        return 0
    module = load_catalog(session).modules.get(job.module)
    names = role_members(session, [ADMIN_ROLE])[ADMIN_ROLE] | ({job.by} if job.by else set())
    params = {
        "module_title": both(module.title if module is not None else job.module),
        "job_id": job.id,
        "file_name": job.file_name,
        "status": job.status,
        "error": _sentence(job.error_code, job.error_params),
        "error_code": job.error_code,
        "error_params": dict(job.error_params or {}),
    }
    key = f"import_failed:{job.id}"
    written = notify(
        session, "import_failed", names, key=key, module=job.module, params=params, at=at
    )
    return len(written)


def import_jobs_failed(session: Session, job_ids: list[int]) -> int:
    """`import_failed` for each job a sweep marked interrupted."""
    return sum(import_failed(session, job_id) for job_id in job_ids)


def webhook_failed(session: Session, message: WebhookMessage, at: dt.datetime | None = None) -> int:
    """Tell the administrators that a webhook message was given up after its last attempt."""
    hook = session.get(Webhook, message.webhook_id)
    catalog = load_catalog(session)
    module = catalog.modules.get(message.module)
    record_id: str | None = message.record_id
    if module is None or not _exists(session, catalog.tables[module.id].main, record_id):
        record_id = None  # the record is gone (a deletion's event): the notice stays readable
    params = {
        "webhook_id": message.webhook_id,
        "url": hook.url if hook is not None else "",
        "event": message.event,
        "error": message.last_error or "",
        "record_id": message.record_id,
    }
    names = role_members(session, [ADMIN_ROLE])[ADMIN_ROLE]
    written = notify(
        session,
        "webhook_failed",
        names,
        key=f"webhook_failed:{message.id}",
        module=message.module if module is not None else None,
        record_id=record_id,
        params=params,
        at=at,
    )
    return len(written)


def _exists(session: Session, table: Any, record_id: str | None) -> bool:
    if record_id is None:
        return False
    return session.scalar(select(table.c.id).where(table.c.id == record_id)) is not None
