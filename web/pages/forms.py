"""The form of a module, generated from its schema and layout: new and edit, with live updates.

Every field kind has its widget (see templates/records/_fields.html); what each field
shows is built in web/pages/formviews.py from the user's abilities. As the user types,
htmx posts the form to `preview`, which
answers with out-of-band updates of the formula values and of the fields whose `show_if` /
`required_if` changed; adding or removing a child-table row re-renders that table. Without
JavaScript the same buttons post the whole form and the page comes back re-rendered.
Saving calls `create_record` / `update_record`; refusals come back beside their fields in
the user's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session

from engine.abilities import Abilities, abilities, abilities_in
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Problem,
    StateLocked,
    ValidationFailed,
)
from engine.records import create_record, get_record, update_record
from engine.records.create_from import prefill_from
from engine.records.defaults import refill_row
from engine.records.model import Record
from web.pages.context import actor, db
from web.pages.formdata import FormForged, parse_form
from web.pages.formviews import (
    FormContext,
    calc_outputs,
    changed_fields,
    form_context,
    input_value,
    sections,
)
from web.pages.messages import ShownProblem
from web.pages.uploads import (
    DEFAULT_MAX_BYTES,
    Reference,
    UploadRefused,
    check_and_store,
    discard,
)
from web.params import whole_number

UPLOAD_SLACK = 1024 * 1024  # room for the other fields of a form with attachments

bp = Blueprint("forms", __name__)


def render_form(session: Session, ctx: FormContext, status: int = 200) -> ResponseReturnValue:
    module, record = ctx.module, ctx.record
    action = (
        url_for("forms.edit", module_id=module.id, record_id=record.id)
        if record
        else url_for("forms.new", module_id=module.id)
    )
    field_keys = {v.name for s in sections(session, ctx) for v in s.fields}
    summary = [p for p in ctx.problems if p.key.split(".")[0] not in field_keys or not p.key]
    return render_template(
        "records/form.html",
        module=module,
        active_module=module.id,
        record=record,
        sections=sections(session, ctx),
        problems=ctx.problems,
        summary=summary,
        action=action,
        multipart=any(f.kind_type.holds_files for f in module.fields),
        file_params="not "
        + ",".join(f"f.{f.name}" for f in module.fields if f.kind_type.holds_files),
    ), status


def _load(session: Session, module_id: str, who: Actor) -> Module:
    module = load_catalog(session).module(module_id)
    abilities(who, module).require_read()
    return module


def _uploads(
    module: Module, who: Actor, modes: Mapping[str, str]
) -> tuple[dict[str, Any], list[Reference], list[Problem]]:
    """Store the attachments of this request; their references become the fields' values."""
    for key in request.files:
        name = key[2:] if key.startswith("f.") else ""
        f = module.field(name)
        if f is None or not f.kind_type.holds_files or modes.get(name) != "write":
            raise FormForged(key)
    values: dict[str, Any] = {}
    stored: list[Reference] = []
    problems: list[Problem] = []
    for f in module.fields:
        if not f.kind_type.holds_files or modes.get(f.name) != "write":
            continue
        upload = request.files.get(f"f.{f.name}")
        if upload is not None and upload.filename:
            try:
                reference = check_and_store(module, f, who, upload.stream, upload.filename)
            except UploadRefused as exc:
                problems.append(Problem(f"/{f.name}", str(exc)))
                continue
            stored.append(reference)
            values[f.name] = reference.as_text()
        elif request.form.get(f"_clear.{f.name}"):
            values[f.name] = None
    return values, stored, problems


def upload_limit() -> int | None:
    """The body limit of a form post that may carry attachments (None for other requests)."""
    if request.endpoint not in ("forms.create", "forms.update", "forms.new", "forms.edit"):
        return None
    module_id = (request.view_args or {}).get("module_id", "")
    with db() as session:
        module = load_catalog(session).modules.get(module_id)
    if module is None:
        return None
    limit = sum(
        (f.max_bytes or DEFAULT_MAX_BYTES) for f in module.fields if f.kind_type.holds_files
    )
    return limit + UPLOAD_SLACK if limit else None


def _row_action(data: dict[str, Any], module: Module, action: str) -> bool:
    """Add or remove a child-table row in `data` (`add:items`, `remove:items:2`)."""
    kind, _sep, rest = action.partition(":")
    table, _sep, index = rest.partition(":")
    f = module.field(table)
    if f is None or not f.kind_type.rows:
        abort(400)
    rows = list(data.get(table) or [])
    if kind == "add":
        rows.append({})
    elif kind == "remove" and (row := whole_number(index)) is not None and row < len(rows):
        rows.pop(row)
    else:
        abort(400)
    data[table] = rows
    return True


def _fill_row(session: Session, module: Module, data: dict[str, Any], action: str) -> None:
    """Refill a child row's columns whose defaults read through its links (`fill:lines:0`)."""
    _kind, _sep, rest = action.partition(":")
    table, _sep, index = rest.partition(":")
    f = module.field(table)
    row = whole_number(index)
    rows = data.get(table) or []
    if f is None or not f.kind_type.rows or row is None or row >= len(rows):
        abort(400)
    given = refill_row(session, load_catalog(session), module, table, rows[row])
    for column in f.children:
        if column.name in given:
            rows[row][column.name] = input_value(column, given[column.name])


def _allowed(session: Session, module: Module, who: Actor, record: Record | None) -> Abilities:
    """The user's abilities on the form's record; 403 when no role lets them save it.

    A state that locks the record is left to the service (409 saying why); its scope too.
    """
    answer = abilities_in(session, who, module, record)
    if record is None:
        answer.require_create()
    elif not answer.update and answer.update_lock is None:
        raise PermissionDenied(code="record_not_allowed", action="update", module=module.id)
    return answer


def _save(module_id: str, record_id: str | None) -> ResponseReturnValue:
    who = actor()
    with db() as session:
        module = _load(session, module_id, who)
        record = get_record(session, module_id, record_id, who) if record_id else None
        answer = _allowed(session, module, who, record)
        try:
            data = parse_form(module, request.form)
        except FormForged:
            abort(400)
        action = request.form.get("_action", "")
        if action:
            _row_action(data, module, action)
            return render_form(session, form_context(session, module, who, record, data))
    # a separate transaction for the write: the render above must not hold it open
    return _write(module, who, record, data, answer.fields)


def _write(
    module: Module,
    who: Actor,
    record: Record | None,
    data: dict[str, Any],
    modes: Mapping[str, str],
) -> ResponseReturnValue:
    """Store the attachments, then create or update; refusals re-render the form."""
    try:
        uploads, stored, upload_problems = _uploads(module, who, modes)
    except FormForged:
        abort(400)
    version = whole_number(request.form.get("_version", ""))
    if record is not None and version is None:
        discard(stored)
        abort(400)
    values = {**data, **uploads}
    try:
        if upload_problems:
            raise ValidationFailed(upload_problems)
        with db() as session:
            if record is None:
                saved = create_record(session, module.id, values, who)
            else:
                assert version is not None  # a change without its version was a 400 above
                saved = update_record(session, module.id, record.id, version, values, who)
    except ValidationFailed as exc:
        discard(stored)
        with db() as session:
            ctx = form_context(session, module, who, record, data, exc.problems)
            return render_form(session, ctx, 422)
    except Conflict:
        discard(stored)
        message = _(
            "Someone changed this record while you were editing it, or it moved to "
            "a read-only state. Your changes were not saved: reload the record."
        )
        with db() as session:
            ctx = form_context(session, module, who, record, data)
            ctx.problems = [ShownProblem("", "", "", message)]
            return render_form(session, ctx, 409)
    flash(_("Saved."), "success")
    return redirect(url_for("record.show", module_id=module.id, record_id=saved.id), code=303)


# -- routes -----------------------------------------------------------------------------


@bp.get("/m/<module_id>/new")
@login_required
def new(module_id: str) -> ResponseReturnValue:
    who = actor()
    with db() as session:
        module = _load(session, module_id, who)
        abilities(who, module).require_create()
        start = _start_from(session, module, who, request.args.get("from", ""))
        return render_form(session, form_context(session, module, who, None, start=start))


def _start_from(session: Session, module: Module, who: Actor, source: str) -> dict[str, Any]:
    """The values a new record starts with when made from `module:id` (create-from)."""
    if not source:
        return {}
    source_module, _colon, source_id = source.partition(":")
    if not source_id:
        abort(400)
    return prefill_from(session, module.id, source_module, source_id, who)


@bp.post("/m/<module_id>/new")
@login_required
def create(module_id: str) -> ResponseReturnValue:
    return _save(module_id, None)


@bp.get("/m/<module_id>/r/<record_id>/edit")
@login_required
def edit(module_id: str, record_id: str) -> ResponseReturnValue:
    who = actor()
    with db() as session:
        module = _load(session, module_id, who)
        record = get_record(session, module_id, record_id, who)
        answer = _allowed(session, module, who, record)
        if answer.update_lock is not None:
            raise StateLocked(answer.update_lock, record.state, "update")
        return render_form(session, form_context(session, module, who, record, answer=answer))


@bp.post("/m/<module_id>/r/<record_id>/edit")
@login_required
def update(module_id: str, record_id: str) -> ResponseReturnValue:
    return _save(module_id, record_id)


@bp.post("/m/<module_id>/preview")
@login_required
def live(module_id: str) -> ResponseReturnValue:
    """Out-of-band updates of formula values and of conditional fields, nothing saved."""
    who = actor()
    with db() as session:
        module = _load(session, module_id, who)
        record = _posted_record(session, module_id, who)
        try:
            data = parse_form(module, request.form)
        except FormForged:
            abort(400)
        ctx = form_context(session, module, who, record, data)
        changed = changed_fields(session, ctx)
        return render_template(
            "records/_preview.html", outputs=calc_outputs(ctx), fields=changed, module=module
        )


@bp.post("/m/<module_id>/rows")
@login_required
def rows(module_id: str) -> ResponseReturnValue:
    """Add or remove a child-table row and answer with the table (and the new totals)."""
    who = actor()
    with db() as session:
        module = _load(session, module_id, who)
        record = _posted_record(session, module_id, who)
        try:
            data = parse_form(module, request.form)
        except FormForged:
            abort(400)
        action = request.form.get("_action", "")
        table = action.partition(":")[2].partition(":")[0]
        if action.startswith("fill:"):
            _fill_row(session, module, data, action)
        else:
            _row_action(data, module, action)
        ctx = form_context(session, module, who, record, data)
        view = next((v for s in sections(session, ctx) for v in s.fields if v.name == table), None)
        if view is None or view.mode != "write":
            abort(400)
        outputs = [o for o in calc_outputs(ctx) if not o[0].startswith(f"calc-{table}-")]
        return render_template(
            "records/_rows.html", view=view, module=module, outputs=outputs, record=record
        )


def _posted_record(session: Session, module_id: str, who: Actor) -> Record | None:
    record_id = request.form.get("_record") or ""
    if not record_id:
        return None
    try:
        return get_record(session, module_id, record_id, who)
    except NotFound:
        abort(404)
