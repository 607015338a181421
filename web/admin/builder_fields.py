"""The builder's field edits: add from the palette, change settings, reorder, remove, and the
id check that answers as the admin types.

Each edit is an engine function on the draft's pack (engine/builder/edits.py, settings.py);
the draft is saved after every accepted edit. A refused edit answers 422 with the editor
page, the admin's input kept and each problem beside its field, and the draft unchanged.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine.builder import drafts, edits
from engine.builder.condition_edits import KEYS as CONDITION_KEYS
from engine.builder.condition_edits import set_conditions
from engine.builder.settings import set_field
from engine.errors import ValidationFailed
from web.admin.builder_editor import draft_of, render_editor
from web.admin.guard import admin_blueprint
from web.pages.context import db
from web.problems import problem_message

bp = admin_blueprint("admin_builder_fields", __name__, url_prefix="/admin/builder")


def _posted(name: str) -> str:
    return request.form.get(name, "").strip()


def _table() -> str | None:
    return (request.values.get("table") or "").strip() or None


def _to_field(draft_id: str, name: str, table: str | None) -> ResponseReturnValue:
    where = url_for("admin_builder.editor", draft_id=draft_id, field=name, table=table)
    return redirect(where + "#builder-field", code=303)


@bp.post("/d/<draft_id>/fields")
def add(draft_id: str) -> ResponseReturnValue:
    """A new field of the chosen palette entry, its id from the label unless one is given."""
    table = _table()
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            title = edits.titles(_posted("label_en"), _posted("label_zh"))
            pack, name = edits.add_field(
                draft.definition, draft.module_id, _posted("kind"), title, _posted("id"), table
            )
        except ValidationFailed as refused:
            return render_editor(session, draft, problems=refused.problems, status=422)
        drafts.save_draft(session, draft, pack)
    return _to_field(draft_id, name, table)


def _settings(
    pack: dict[str, Any], module_id: str, name: str, form: dict[str, str], table: str | None
) -> dict[str, Any]:
    """The pack with the field's settings and its conditions (show_if, required_if) from the
    form; every problem of both at once. A condition the form does not send is kept."""
    problems = []
    try:
        pack = set_field(pack, module_id, name, form, table)
    except ValidationFailed as refused:
        problems += refused.problems
    show_if, required_if = (form.get(key) for key in CONDITION_KEYS)
    try:
        pack = set_conditions(pack, module_id, name, show_if, required_if, table=table)
    except ValidationFailed as refused:
        problems += refused.problems
    if problems:
        raise ValidationFailed(problems)
    return pack


@bp.post("/d/<draft_id>/fields/<name>")
def save(draft_id: str, name: str) -> ResponseReturnValue:
    """The field's settings and conditions, all read at once; a refusal keeps what was typed."""
    table = _table()
    with db() as session:
        draft = draft_of(session, draft_id)
        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            pack = _settings(draft.definition, draft.module_id, name, form, table)
        except ValidationFailed as refused:
            return render_editor(
                session,
                draft,
                selected=name,
                table=table or "",
                problems=refused.problems,
                posted=form,
                status=422,
            )
        drafts.save_draft(session, draft, pack)
    return _to_field(draft_id, name, table)


@bp.post("/d/<draft_id>/fields/<name>/remove")
def remove(draft_id: str, name: str) -> ResponseReturnValue:
    """Remove the field; `drop` declares that publishing may drop the values records hold."""
    table = _table()
    with db() as session:
        draft = draft_of(session, draft_id)
        pack = edits.remove_field(
            draft.definition, draft.module_id, name, table, declare_drop=bool(_posted("drop"))
        )
        drafts.save_draft(session, draft, pack)
    return redirect(url_for("admin_builder.editor", draft_id=draft_id), code=303)


@bp.post("/d/<draft_id>/order")
def order(draft_id: str) -> ResponseReturnValue:
    """The fields (or a child table's columns) in the order they were dragged to."""
    table = _table()
    names = [n for n in request.form.getlist("order") if n]
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            pack = edits.reorder_fields(draft.definition, draft.module_id, names, table)
        except ValidationFailed as refused:
            return render_editor(session, draft, problems=refused.problems, status=422)
        drafts.save_draft(session, draft, pack)
    return redirect(url_for("admin_builder.editor", draft_id=draft_id), code=303)


@bp.get("/d/<draft_id>/check-id")
def check_id(draft_id: str) -> ResponseReturnValue:
    """As the admin types: the id a label would get, or why a typed id cannot be used."""
    table = _table()
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            names = edits.field_names(draft.definition, draft.module_id, table)
        except ValidationFailed:
            names = []
    taken = set(names) | edits.taken_names(table)
    typed = request.args.get("id", "").strip()
    hint: dict[str, Any] = {"typed": typed}
    if typed:
        problem = edits.id_problem(typed, taken)
        hint["problem"] = problem_message(problem) if problem is not None else ""
    else:
        hint["suggested"] = edits.suggest_id(request.args.get("label_en", ""), taken)
    return render_template("admin/builder/_id_hint.html", **hint)
