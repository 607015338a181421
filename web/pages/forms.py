"""The form of a module, generated from its schema and layout: new and edit, with live updates.

Every field kind has its widget (see templates/records/_fields.html); fields hidden from
the user's role are absent, fields they may only read (or every field, in a read-only
state) are shown as text. As the user types, htmx posts the form to `preview`, which
answers with out-of-band updates of the formula values and of the fields whose `show_if` /
`required_if` changed; adding or removing a child-table row re-renders that table. Without
JavaScript the same buttons post the whole form and the page comes back re-rendered.
Saving calls `create_record` / `update_record`; refusals come back beside their fields in
the user's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session

from engine import permissions
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import Field, Module
from engine.errors import Conflict, NotFound, Problem, ValidationFailed
from engine.records import create_record, get_record, update_record
from engine.records.model import Record
from web.i18n import text
from web.pages import errors
from web.pages.context import actor, db
from web.pages.formatting import choice_text, field_title, restricted_text, value_text
from web.pages.formdata import FormForged, Preview, input_moment, parse_form, preview
from web.pages.messages import ShownProblem, problem_text
from web.pages.pickers import link_options, user_options
from web.pages.uploads import (
    DEFAULT_MAX_BYTES,
    Reference,
    UploadRefused,
    check_and_store,
    discard,
    parse_reference,
)
from web.params import whole_number

UPLOAD_SLACK = 1024 * 1024  # room for the other fields of a form with attachments

forms = Blueprint("forms", __name__)
errors.install(forms)


@dataclass
class FieldView:
    """One field as the form shows it."""

    field: Field
    name: str
    label: str
    mode: str  # write | read | computed
    required: bool = False
    hidden: bool = False
    conditional: bool = False
    value: Any = None
    display: str = ""
    error: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_errors: dict[str, str] = field(default_factory=dict)
    reference: Reference | None = None
    widget: str = ""
    solo: bool = False  # the only field of its section: the section's title names it

    @property
    def dom_id(self) -> str:
        return "fld-" + self.name

    @property
    def wide(self) -> bool:
        return self.field.kind == "table" or self.widget == "textarea"


@dataclass
class SectionView:
    title: str
    columns: int
    fields: list[FieldView]


@dataclass
class FormContext:
    """Everything a form render needs besides the request."""

    module: Module
    who: Actor
    record: Record | None
    data: dict[str, Any]  # raw input values (strings) by field; child rows as dicts
    result: Preview
    problems: list[ShownProblem] = field(default_factory=list)


# -- access -----------------------------------------------------------------------------


def may_update(who: Actor, module: Module, record: Record) -> bool:
    """Whether a role of `who` may change this record (its scope is checked on save)."""
    if who.is_admin:
        return True
    for p in permissions.role_permissions(who, module):
        if p.update == "all" or (p.update == "own" and record.owner == who.name):
            return True
    return False


def locked_fields(module: Module, record: Record | None) -> frozenset[str]:
    """The fields the record's state locks: all in a read-only state but its `editable`."""
    if record is None or module.workflow is None:
        return frozenset()
    state = module.workflow.states.get(record.state or "")
    if state is None or not state.readonly:
        return frozenset()
    return frozenset(f.name for f in module.fields) - set(state.editable)


def readonly_state(module: Module, record: Record | None) -> bool:
    """Whether the record's state leaves nothing to edit."""
    locked = locked_fields(module, record)
    return bool(locked) and not any(f.name not in locked for f in module.fields)


def field_modes(who: Actor, module: Module, record: Record | None) -> dict[str, str]:
    """For each field: write, read, computed or hidden (absent from the form)."""
    access = permissions.field_access(who, module)
    locked = locked_fields(module, record)
    modes = {}
    for f in module.fields:
        level = access.get(f.name, "hidden")
        if level == "hidden":
            modes[f.name] = "hidden"
        elif f.computed:
            modes[f.name] = "computed"
        elif level == "read" or f.read_only or f.name in locked:
            modes[f.name] = "read"
        else:
            modes[f.name] = "write"
    return modes


# -- values -----------------------------------------------------------------------------


def input_value(f: Field, value: Any) -> Any:
    """A stored value as an input holds it (text; lists for multi-choice and child rows)."""
    if value is None:
        return [] if f.kind in ("multichoice", "table") else ""
    if f.kind == "table":
        return [
            {c.name: input_value(c, row.get(c.name)) for c in f.children if not c.computed}
            for row in value
        ]
    if f.kind == "multichoice":
        return [str(v) for v in value]
    if f.kind == "boolean":
        return bool(value) if not isinstance(value, str) else value == "true"
    if f.kind == "datetime":
        return input_moment(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def initial_data(module: Module, record: Record | None, modes: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in module.fields:
        if modes.get(f.name) != "write":
            continue
        if record is not None:
            data[f.name] = input_value(f, record.data.get(f.name))
        elif f.default is not None:
            data[f.name] = input_value(f, f.default)
        elif f.kind == "table":
            data[f.name] = [{}]  # one empty row to start with
    return data


def system_values(module: Module, record: Record | None, who: Actor) -> dict[str, Any]:
    if record is not None:
        return record.system()
    now = dt.datetime.now(dt.UTC)
    return {
        "$id": None,
        "$number": None,
        "$state": module.initial_state,
        "$owner": who.name,
        "$created_at": now,
        "$updated_at": now,
    }


def base_values(record: Record | None) -> dict[str, Any]:
    return dict(record.data) if record is not None else {}


# -- views of fields ----------------------------------------------------------------------


def _options(session: Session, f: Field, who: Actor, selected: Any) -> list[tuple[str, str]]:
    if f.kind in ("choice", "multichoice"):
        return [(str(v), choice_text(f, v)) for v in f.enum or ()]
    if f.kind == "link":
        return link_options(session, f, who, selected=str(selected) if selected else None)
    if f.kind == "user":
        return user_options(session, selected=str(selected) if selected else None)
    return []


def _problems_by_key(problems: list[ShownProblem]) -> dict[str, str]:
    by_key: dict[str, str] = {}
    for p in problems:
        by_key.setdefault(p.key, p.message)
    return by_key


def field_view(
    session: Session, ctx: FormContext, f: Field, mode: str, by_key: dict[str, str]
) -> FieldView:
    module = ctx.module
    conditional = f.name in module.ui.show_if or f.name in module.ui.required_if
    view = FieldView(
        field=f,
        name=f.name,
        label=field_title(module, f.name),
        mode=mode,
        required=f.name in ctx.result.required,
        hidden=f.name in ctx.result.hidden,
        conditional=conditional,
        error=by_key.get(f.name),
        widget=module.ui.widgets.get(f.name) or f.widget or "",
    )
    typed = ctx.result.values.get(f.name)
    if mode == "write":
        view.value = ctx.data.get(f.name, [] if f.kind in ("multichoice", "table") else "")
        view.options = _options(session, f, ctx.who, view.value)
        if f.kind == "file":
            view.reference = parse_reference(ctx.record.data.get(f.name)) if ctx.record else None
    else:
        source = ctx.record.data.get(f.name) if mode == "read" and ctx.record else typed
        view.value = source
        view.display = value_text(f, source)
        if ctx.record is not None and f.name in ctx.record.restricted:
            view.display = restricted_text()
        if f.kind == "link" and ctx.record is not None:
            view.display = ctx.record.titles.get(f.name) or view.display
        if f.kind == "file":
            view.reference = parse_reference(source)
    if f.kind == "table":
        view.rows = _rows(ctx, f, mode)
        view.row_errors = {k: v for k, v in by_key.items() if k.startswith(f.name + ".")}
        view.options = []
    return view


def _rows(ctx: FormContext, f: Field, mode: str) -> list[dict[str, Any]]:
    """Each child row: the raw input of its writable cells and the computed ones, formatted."""
    typed_rows = ctx.result.values.get(f.name) or []
    if mode == "write":
        raw_rows = ctx.data.get(f.name) or []
    else:
        raw_rows = (ctx.record.data.get(f.name) if ctx.record else typed_rows) or []
    rows = []
    for index, raw in enumerate(raw_rows):
        typed = typed_rows[index] if index < len(typed_rows) else {}
        row: dict[str, Any] = {}
        for child in f.children:
            if child.computed or mode != "write":
                row[child.name] = value_text(child, typed.get(child.name, raw.get(child.name)))
            else:
                row[child.name] = raw.get(child.name, "")
        rows.append(row)
    return rows


def sections(session: Session, ctx: FormContext, read_only: bool = False) -> list[SectionView]:
    """The layout's sections with their fields; fields left out of the layout follow.

    `read_only` shows every value as text (the record page).
    """
    modes = field_modes(ctx.who, ctx.module, ctx.record)
    if read_only:
        modes = {k: "read" if v == "write" else v for k, v in modes.items()}
    by_key = _problems_by_key(ctx.problems)
    placed: set[str] = set()
    result: list[SectionView] = []
    for section in ctx.module.ui.layout:
        views = []
        for name in section.fields:
            f = ctx.module.field(name)
            placed.add(name)
            if f is None or modes.get(name) == "hidden":
                continue
            views.append(field_view(session, ctx, f, modes[name], by_key))
        if views:
            if len(views) == 1 and views[0].label == text(section.title):
                views[0].solo = True
            result.append(SectionView(text(section.title), max(1, section.columns or 1), views))
    rest = [
        field_view(session, ctx, f, modes[f.name], by_key)
        for f in ctx.module.fields
        if f.name not in placed and modes.get(f.name) != "hidden"
    ]
    if rest:
        title = _("Other") if result else ""
        result.append(SectionView(title, 1 if result else 2, rest))
    return result


def calc_outputs(ctx: FormContext) -> list[tuple[str, str]]:
    """(element id, text) of every computed value the form shows, for out-of-band updates."""
    modes = field_modes(ctx.who, ctx.module, ctx.record)
    outputs = []
    for f in ctx.module.fields:
        if modes.get(f.name) == "hidden":
            continue
        if f.computed:
            outputs.append((f"calc-{f.name}", value_text(f, ctx.result.values.get(f.name))))
        if f.kind == "table" and modes.get(f.name) == "write":
            for index, row in enumerate(ctx.result.values.get(f.name) or []):
                for child in f.children:
                    if child.computed:
                        outputs.append(
                            (
                                f"calc-{f.name}-{index}-{child.name}",
                                value_text(child, row.get(child.name)),
                            )
                        )
    return outputs


# -- rendering --------------------------------------------------------------------------


def _context(
    session: Session,
    module: Module,
    who: Actor,
    record: Record | None,
    data: dict[str, Any] | None = None,
    problems: list[Problem] | None = None,
) -> FormContext:
    modes = field_modes(who, module, record)
    if data is None:
        data = initial_data(module, record, modes)
    writable = {k: v for k, v in data.items() if modes.get(k) == "write"}
    result = preview(module, writable, who, system_values(module, record, who), base_values(record))
    shown = [problem_text(p, module) for p in problems or []]
    return FormContext(module, who, record, data, result, shown)


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
        multipart=any(f.kind == "file" for f in module.fields),
        file_params="not " + ",".join(f"f.{f.name}" for f in module.fields if f.kind == "file"),
    ), status


def _load(session: Session, module_id: str, who: Actor) -> Module:
    module = load_catalog(session).module(module_id)
    permissions.require_readable(who, module)
    return module


def _uploads(
    module: Module, who: Actor, record: Record | None
) -> tuple[dict[str, Any], list[Reference], list[Problem]]:
    """Store the attachments of this request; their references become the fields' values."""
    modes = field_modes(who, module, record)
    for key in request.files:
        name = key[2:] if key.startswith("f.") else ""
        f = module.field(name)
        if f is None or f.kind != "file" or modes.get(name) != "write":
            raise FormForged(key)
    values: dict[str, Any] = {}
    stored: list[Reference] = []
    problems: list[Problem] = []
    for f in module.fields:
        if f.kind != "file" or modes.get(f.name) != "write":
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
    limit = sum((f.max_bytes or DEFAULT_MAX_BYTES) for f in module.fields if f.kind == "file")
    return limit + UPLOAD_SLACK if limit else None


def _row_action(data: dict[str, Any], module: Module, action: str) -> bool:
    """Add or remove a child-table row in `data` (`add:items`, `remove:items:2`)."""
    kind, _sep, rest = action.partition(":")
    table, _sep, index = rest.partition(":")
    f = module.field(table)
    if f is None or f.kind != "table":
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


def _save(module_id: str, record_id: str | None) -> ResponseReturnValue:
    who = actor()
    with db() as session:
        module = _load(session, module_id, who)
        record = get_record(session, module_id, record_id, who) if record_id else None
        if record is None:
            permissions.require_create(who, module)
        elif not may_update(who, module, record):
            raise permissions.PermissionDenied("you may not change this record")
        try:
            data = parse_form(module, request.form)
        except FormForged:
            abort(400)
        action = request.form.get("_action", "")
        if action:
            _row_action(data, module, action)
            return render_form(session, _context(session, module, who, record, data))
    # a separate transaction for the write: the render above must not hold it open
    try:
        uploads, stored, upload_problems = _uploads(module, who, record)
    except FormForged:
        abort(400)
    version = whole_number(request.form.get("_version", ""))
    if record is not None and version is None:
        discard(stored)
        abort(400)
    try:
        if upload_problems:
            raise ValidationFailed(upload_problems)
        with db() as session:
            if record is None:
                saved = create_record(session, module_id, {**data, **uploads}, who)
            else:
                saved = update_record(
                    session, module_id, record.id, version, {**data, **uploads}, who
                )
    except ValidationFailed as exc:
        discard(stored)
        with db() as session:
            ctx = _context(session, module, who, record, data, exc.problems)
            return render_form(session, ctx, 422)
    except Conflict:
        discard(stored)
        message = _(
            "Someone changed this record while you were editing it, or it moved to "
            "a read-only state. Your changes were not saved: reload the record."
        )
        with db() as session:
            ctx = _context(session, module, who, record, data)
            ctx.problems = [ShownProblem("", "", "", message)]
            return render_form(session, ctx, 409)
    flash(_("Saved."), "success")
    return redirect(url_for("record.show", module_id=module_id, record_id=saved.id), code=303)


# -- routes -----------------------------------------------------------------------------


@forms.get("/m/<module_id>/new")
@login_required
def new(module_id: str) -> ResponseReturnValue:
    who = actor()
    with db() as session:
        module = _load(session, module_id, who)
        permissions.require_create(who, module)
        return render_form(session, _context(session, module, who, None))


@forms.post("/m/<module_id>/new")
@login_required
def create(module_id: str) -> ResponseReturnValue:
    return _save(module_id, None)


@forms.get("/m/<module_id>/r/<record_id>/edit")
@login_required
def edit(module_id: str, record_id: str) -> ResponseReturnValue:
    who = actor()
    with db() as session:
        module = _load(session, module_id, who)
        record = get_record(session, module_id, record_id, who)
        if not may_update(who, module, record):
            raise permissions.PermissionDenied("you may not change this record")
        if readonly_state(module, record):
            raise Conflict("the record is in a read-only state")
        return render_form(session, _context(session, module, who, record))


@forms.post("/m/<module_id>/r/<record_id>/edit")
@login_required
def update(module_id: str, record_id: str) -> ResponseReturnValue:
    return _save(module_id, record_id)


@forms.post("/m/<module_id>/preview")
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
        ctx = _context(session, module, who, record, data)
        changed = _changed_fields(session, ctx)
        return render_template(
            "records/_preview.html", outputs=calc_outputs(ctx), fields=changed, module=module
        )


@forms.post("/m/<module_id>/rows")
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
        _row_action(data, module, action)
        ctx = _context(session, module, who, record, data)
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


def _changed_fields(session: Session, ctx: FormContext) -> list[FieldView]:
    """Conditional fields whose visibility or requirement differs from what the page shows."""
    changed = []
    modes = field_modes(ctx.who, ctx.module, ctx.record)
    for name in set(ctx.module.ui.show_if) | set(ctx.module.ui.required_if):
        f = ctx.module.field(name)
        if f is None or modes.get(name) == "hidden":
            continue
        now = f"{int(name not in ctx.result.hidden)},{int(name in ctx.result.required)}"
        if request.form.get(f"_state.{name}") != now:
            changed.append(field_view(session, ctx, f, modes[name], {}))
    return changed
