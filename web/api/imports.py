"""Imports through the API: send a CSV or XLSX file, follow the job, cancel it, fetch the
rejected rows.

`POST /modules/<module>/imports` keeps the file in the file store and queues a job (engine/
imports/jobs.py), answering 202 with the job and its address; a worker runs it. The caller's
right to import is checked before a byte is stored: a module they may not import into is 403,
a file over the limit 413, and neither leaves anything behind. A job is seen only by its owner
and administrators (404 to anyone else), its problems worded in the caller's language.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import wrap_file

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from engine.imports import jobs
from engine.imports.importing import MODES
from engine.imports.sources import DEFAULT_LIMITS
from web.api.common import readable_module
from web.api.context import api_session
from web.api.operations import operation
from web.jsonio import record_json
from web.pages.imports_forms import TooLarge, limited_chunks, new_file_id
from web.pages.uploads import file_store
from web.problems import problem_dicts
from web.refusals import api_locale
from web.transactions import reads_only

bp = Blueprint("imports", __name__)

ENVELOPE = 64 * 1024  # room for the multipart envelope and the other fields around the file
FIELDS = ("mapping", "key", "mode", "encoding", "sheet", "dry_run")
TRUE, FALSE = ("1", "true", "yes"), ("", "0", "false", "no")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def max_bytes() -> int:
    """The largest file an import takes: what the engine reads, or less where configured."""
    configured = current_app.config.get("FORMWORK_IMPORT_MAX_BYTES", DEFAULT_LIMITS.max_bytes)
    return min(DEFAULT_LIMITS.max_bytes, int(configured))


def job_json(session: Session, job: jobs.JobView) -> dict[str, Any]:
    """A job as the API answers it, problems and error in the caller's language."""
    locale = api_locale()
    problems = [
        {**({"sheet": p.sheet} if p.sheet else {}), "row": p.row, "column": p.column, **d}
        for p, d in zip(
            job.problems, problem_dicts([p.problem for p in job.problems], locale), strict=True
        )
    ]
    error = problem_dicts([job.error], locale)[0] if job.error is not None else None
    module = load_catalog(session).modules.get(job.module)
    return {
        "id": job.id,
        "url": url_for("api.imports.read", job_id=job.id, _external=True),
        "module": job.module,
        "file_name": job.file_name,
        "by": job.by,
        "mode": job.mode,
        "key": job.key,
        "dry_run": job.dry_run,
        "status": job.status,
        "progress": {"done": job.done, "total": job.total, "percent": job.percent},
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
        "problems": problems,
        "error": error,
        "mapping": job.mapping,
        "unmapped": job.unmapped,
        "encoding": job.encoding,
        "sheet": job.sheet,
        "sample": [record_json(module, r) for r in job.sample] if module is not None else [],
        "rejected_file": (
            url_for("api.imports.rejected", job_id=job.id, _external=True)
            if job.rejected_file
            else None
        ),
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _options(form: Any) -> dict[str, Any]:
    """The form's options, every problem of them at once (422)."""
    problems: list[Problem] = []
    mapping: Any = None
    if form.get("mapping"):
        try:
            mapping = json.loads(form["mapping"])
        except ValueError:
            mapping = None
        pairs = mapping.items() if isinstance(mapping, dict) else [(None, None)]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs):
            problems.append(Problem("/mapping", "import_mapping_not_an_object"))
    mode = form.get("mode") or "all"
    if mode not in MODES:
        problems.append(Problem("/mode", "not_a_choice", {"value": mode, "choices": MODES}))
    dry_run = (form.get("dry_run") or "").strip().lower()
    if dry_run not in TRUE + FALSE:
        problems.append(Problem("/dry_run", "not_a_boolean"))
    if problems:
        raise ValidationFailed(problems)
    return {
        "mapping": mapping,
        "key": form.get("key") or None,
        "mode": mode,
        "encoding": form.get("encoding") or None,
        "sheet": form.get("sheet") or None,
        "dry_run": dry_run in TRUE,
    }


def _require_import(session: Session, actor: Actor, module_id: str) -> str:
    module = readable_module(session, actor, module_id)
    if not abilities(actor, module).import_:
        raise PermissionDenied(code="import_not_allowed", module=module.id)
    return module.id


@bp.post("/modules/<module_id>/imports")
@operation("imports.create")
def create(module_id: str) -> ResponseReturnValue:
    """Multipart: the file in `file`, and `mapping` (a JSON object header → field), `key`,
    `mode` (all | valid), `encoding`, `sheet`, `dry_run`. 202 with the queued job."""
    with api_session() as (session, actor):
        module = _require_import(session, actor, module_id)
        limit = max_bytes()
        request.max_content_length = limit + ENVELOPE
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            raise ValidationFailed([Problem("/file", "import_file_required")])
        options = _options(request.form)
        store, file_id = file_store(), new_file_id()
        try:
            store.save(file_id, limited_chunks(sent.stream, limit))
        except TooLarge:
            store.delete(file_id)
            raise RequestEntityTooLarge() from None
        try:
            job_id = jobs.submit(session, module, file_id, sent.filename, actor, **options)
        except Exception:
            store.delete(file_id)
            raise
        body = job_json(session, jobs.job_view(session, job_id, actor))
    return jsonify(body), 202, {"Location": body["url"]}


@bp.get("/imports/<int:job_id>")
@operation("imports.read")
def read(job_id: int) -> ResponseReturnValue:
    """The job: status, progress, counts, problems."""
    with api_session() as (session, actor):
        return jsonify(job_json(session, jobs.job_view(session, job_id, actor)))


@bp.post("/imports/<int:job_id>/cancel")
@operation("imports.cancel")
@reads_only  # a running job is told outside the database's write lock (engine/imports/jobs_live.py)
def cancel(job_id: int) -> ResponseReturnValue:
    """Ask the job to stop; 202 with the job as it stands (it stops between two batches)."""
    with api_session() as (session, actor):
        jobs.cancel(session, job_id, actor)
        return jsonify(job_json(session, jobs.job_view(session, job_id, actor))), 202


@bp.get("/imports/<int:job_id>/rejected")
@operation("imports.rejected")
def rejected(job_id: int) -> ResponseReturnValue:
    """The rejected rows with an error column: CSV, or XLSX for a workbook."""
    with api_session() as (session, actor):
        job = jobs.job_view(session, job_id, actor)
    stream = file_store().open(job.rejected_file) if job.rejected_file else None
    if stream is None:
        raise NotFound(code="import_no_rejected_rows", id=job_id)
    workbook = job.file_name.lower().endswith(".xlsx")
    name = f"{job.file_name.rsplit('.', 1)[0]}.rejected.{'xlsx' if workbook else 'csv'}"
    response = Response(
        wrap_file(request.environ, stream),
        mimetype=XLSX_TYPE if workbook else CSV_TYPE,
        direct_passthrough=True,
    )
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response
