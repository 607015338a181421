"""Importing records from the list page: upload, mapping and preview, progress, history.

Every step is an engine call (engine/imports/jobs.py): the upload is kept in the file store
and a dry-run job previews it; the person corrects the mapping, the key or the mode and
previews again, each time a new dry run of the same file; "Import" submits the same file and
options as a job that writes. Jobs run in the background (`formwork serve` runs a worker), so
the page polls a fragment every second while one is queued or running and stops once it
ended. Only roles that may import reach any of these pages; only a job's owner or an
administrator sees a job.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.exceptions import RequestEntityTooLarge

from engine.abilities import Abilities, abilities
from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.errors import PermissionDenied, Problem
from engine.import_choices import import_keys, import_targets
from engine.imports import jobs
from web.i18n import text
from web.pages.context import actor, db, is_htmx
from web.pages.imports_forms import (
    ENCODINGS,
    MAX_BYTES,
    Options,
    TooLarge,
    limited_chunks,
    new_file_id,
    read_options,
    template_headers,
)
from web.pages.imports_view import job_context, mode_text, status_text
from web.pages.uploads import file_store
from web.problems import problem_message
from web.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from web.transactions import reads_only

bp = Blueprint("imports", __name__)

BODY_LIMIT = MAX_BYTES + 64 * 1024  # the file, and the form's few small fields


def _module(session: Any) -> tuple[Module, Abilities]:
    """The module of the URL and the actor's abilities; 404 unreadable, 403 no import."""
    module_id = (request.view_args or {}).get("module_id", "")
    module = load_catalog(session).module(module_id)
    may = abilities(actor(), module)
    may.require_read()
    if not may.import_:
        raise PermissionDenied(code="import_not_allowed", module=module.id)
    return module, may


def _job(session: Any, module: Module, job_id: int) -> jobs.JobView:
    """The job, when it is an import into this module the actor may see (else 404)."""
    job = jobs.job_view(session, job_id, actor())
    if job.module != module.id:
        abort(404)
    return job


@bp.app_context_processor
def _may_import() -> dict[str, Any]:
    """`may_import(module)` for the list page's Import button."""

    def may_import(module: Module) -> bool:
        return abilities(actor(), module).import_

    return {"may_import": may_import}


def _max_bytes() -> int:
    """The largest file the page keeps: what an import reads, or less where configured."""
    return min(MAX_BYTES, int(current_app.config.get("FORMWORK_IMPORT_MAX_BYTES", MAX_BYTES)))


def _upload_page(
    module: Module, error: str | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "imports/upload.html", module=module, encodings=ENCODINGS, error=error
    ), status


@bp.get("/m/<module_id>/import")
@login_required
def upload_form(module_id: str) -> ResponseReturnValue:
    with db() as session:
        module, _may = _module(session)
    return _upload_page(module)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file beyond what an import reads: the form again, saying so; nothing was kept."""
    with db() as session:
        module, _may = _module(session)
    size = request.content_length or 0
    problem = Problem("", "import_too_large", {"value": size, "limit": _max_bytes()})
    return _upload_page(module, problem_message(problem), 413)


@bp.post("/m/<module_id>/import")
@login_required
def upload(module_id: str) -> ResponseReturnValue:
    """Keep the file and preview it (a dry-run job); the job's page follows its progress."""
    upload = request.files.get("file")
    with db() as session:
        module, may = _module(session)
    if upload is None or not upload.filename:
        return _upload_page(module, _("Choose a CSV or Excel (XLSX) file to import."), 400)
    options = read_options(request.form, import_keys(module, may))
    store, file_id, limit = file_store(), new_file_id(), _max_bytes()
    try:
        store.save(file_id, limited_chunks(upload.stream, limit))
    except TooLarge as exc:
        store.delete(file_id)
        problem = Problem("", "import_too_large", {"value": exc.size, "limit": limit})
        return _upload_page(module, problem_message(problem), 413)
    return _submit(module, file_id, upload.filename, options, dry_run=True)


upload.body_limit = BODY_LIMIT  # a mark web/auth.py reads: the file may be that large


def _submit(
    module: Module, file_id: str, file_name: str, options: Options, *, dry_run: bool
) -> ResponseReturnValue:
    """Queue the job and show its page. A preview runs as "valid rows only" whatever the
    chosen mode, so it shows every valid record as it would be stored and what each mode
    would do; the chosen mode travels in the page's address to the Import button."""
    run = replace(options, mode="valid") if dry_run else options
    with db() as session:
        job_id = jobs.submit(
            session, module.id, file_id, file_name, actor(), dry_run=dry_run, **run.as_kwargs()
        )
    address = url_for("imports.job", module_id=module.id, job_id=job_id, mode=options.mode)
    return redirect(address, 303)


@bp.get("/m/<module_id>/imports/<int:job_id>")
@login_required
def job(module_id: str, job_id: int) -> ResponseReturnValue:
    """A job's page: its progress while it runs, then the preview's mapping or the summary."""
    with db() as session:
        module, may = _module(session)
        found = _job(session, module, job_id)
        context = job_context(module, may, found, found.headers, request.args.get("mode"))
    template = "imports/_job.html" if is_htmx() else "imports/job.html"
    return render_template(template, module=module, **context)


@bp.post("/m/<module_id>/imports/<int:job_id>/<any(preview, apply):step>")
@login_required
def again(module_id: str, job_id: int, step: str) -> ResponseReturnValue:
    """Preview the same file again with the form's choices, or import it with them."""
    with db() as session:
        module, may = _module(session)
        source = _job(session, module, job_id)
    options = read_options(request.form, import_keys(module, may))
    return _submit(module, source.file_id, source.file_name, options, dry_run=step == "preview")


@bp.post("/m/<module_id>/imports/<int:job_id>/cancel")
@reads_only  # told outside the write lock a running SQLite import holds (engine/imports/jobs_live.py)
@login_required
def cancel(module_id: str, job_id: int) -> ResponseReturnValue:
    with db() as session:
        module, _may = _module(session)
        _job(session, module, job_id)
        jobs.cancel(session, job_id, actor())
    return redirect(url_for("imports.job", module_id=module.id, job_id=job_id), 303)


@bp.get("/m/<module_id>/imports/<int:job_id>/rejected")
@login_required
def rejected(module_id: str, job_id: int) -> ResponseReturnValue:
    """The rows an import set aside, with a column saying what was wrong with each."""
    with db() as session:
        module, _may = _module(session)
        found = _job(session, module, job_id)
    store = file_store()
    size = store.size(found.rejected_file) if found.rejected_file else None
    stream = store.open(found.rejected_file) if found.rejected_file and size else None
    if stream is None or size is None:
        abort(404)
    workbook = found.file_name.lower().endswith(".xlsx")  # the engine writes it so
    stem = found.file_name.rsplit(".", 1)[0] or module.id
    response = send_file(
        stream,
        mimetype=XLSX_TYPE if workbook else CSV_TYPE,
        as_attachment=True,
        download_name=f"{stem}-rejected.{'xlsx' if workbook else 'csv'}",
        max_age=0,
        conditional=False,
    )
    response.content_length = size
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/m/<module_id>/imports")
@login_required
def history(module_id: str) -> ResponseReturnValue:
    """Who imported what into the module, when, and how it ended."""
    with db() as session:
        module, _may = _module(session)
        past = jobs.history(session, module.id, actor())
    return render_template(
        "imports/history.html",
        module=module,
        jobs=past,
        status_text=status_text,
        mode_text=mode_text,
    )


@bp.get("/m/<module_id>/import/template.<any(csv, xlsx):fmt>")
@login_required
def template_file(module_id: str, fmt: str) -> ResponseReturnValue:
    """An empty file headed by the columns the person may fill, in their language."""
    with db() as session:
        module, may = _module(session)
    headers = template_headers(module, import_targets(module, may))
    if fmt == "csv":
        body, mimetype = csv_bytes(headers, []), CSV_TYPE
    else:
        body, mimetype = xlsx_bytes(text(module.title), headers, []), XLSX_TYPE
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{module.id}-template.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
