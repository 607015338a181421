"""The draft as it would be published: its live form preview and its pack JSON.

The preview is the real form (web/pages/formviews.py and templates/records/_fields.html)
of the draft's module compiled in memory; typing sample values into it recomputes formulas
and conditional fields the way a record form does (records/_preview.html), nothing stored.
The JSON is the pack exactly as publishing would import it, bar the version it gets then.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine.abilities import abilities
from engine.actor import Actor
from engine.builder.permission_edits import declared_roles
from web.admin.builder_editor import draft_of, preview_of
from web.admin.guard import admin_blueprint
from web.pages.context import actor, db
from web.pages.formdata import FormForged, parse_form
from web.pages.forms import _row_action as row_action
from web.pages.formviews import calc_outputs, changed_fields, form_context, sections

bp = admin_blueprint("admin_builder_preview", __name__, url_prefix="/admin/builder")


@bp.get("/d/<draft_id>/preview")
def preview(draft_id: str) -> ResponseReturnValue:
    """The preview panel alone (refreshed by htmx after a reorder)."""
    with db() as session:
        draft = draft_of(session, draft_id)
        shown = preview_of(session, draft)
        return render_template("admin/builder/_preview.html", draft=draft, preview=shown)


@bp.post("/d/<draft_id>/preview")
def live(draft_id: str) -> ResponseReturnValue:
    """Formula values and conditional fields for the sample values typed into the preview."""
    with db() as session:
        draft = draft_of(session, draft_id)
        shown = preview_of(session, draft)
        if shown.module is None:
            return render_template("admin/builder/_preview.html", draft=draft, preview=shown)
        module, who = shown.module, actor()
        try:
            data = parse_form(module, request.form)
        except FormForged:
            abort(400)
        ctx = form_context(session, module, who, None, data, answer=abilities(who, module))
        return render_template(
            "admin/builder/_preview_live.html",
            outputs=calc_outputs(ctx),
            fields=changed_fields(session, ctx),
            module=module,
            rows_url=url_for(".rows", draft_id=draft.id),
        )


@bp.post("/d/<draft_id>/preview/rows")
def rows(draft_id: str) -> ResponseReturnValue:
    """Add or remove a row of a child table in the preview, drawn from the draft's compiled
    module by the record form's own code (the installed module's endpoint knows no draft);
    `?as=<role>` for the permissions page's form as that role sees it."""
    role = request.args.get("as", "")
    with db() as session:
        draft = draft_of(session, draft_id)
        module, who = preview_of(session, draft).module, actor()
        if module is None or (role and role not in declared_roles(draft.definition)):
            abort(404)
        as_role: dict[str, Any] = {"as": role} if role else {}
        if role:
            who = Actor(name=f"preview:{role}", roles=frozenset({role}), grants={})
        try:
            data = parse_form(module, request.form)
        except FormForged:
            abort(400)
        action = request.form.get("_action", "")
        table = action.partition(":")[2].partition(":")[0]
        row_action(data, module, action)
        ctx = form_context(session, module, who, None, data, answer=abilities(who, module))
        view = next((v for s in sections(session, ctx) for v in s.fields if v.name == table), None)
        if view is None or view.mode != "write":
            abort(400)
        outputs = [o for o in calc_outputs(ctx) if not o[0].startswith(f"calc-{table}-")]
        return render_template(
            "records/_rows.html",
            view=view,
            module=module,
            outputs=outputs,
            record=None,
            rows_url=url_for(".rows", draft_id=draft.id, **as_role),
        )


def pack_text(definition: dict[str, object]) -> str:
    return json.dumps(definition, ensure_ascii=False, indent=2) + "\n"


@bp.get("/d/<draft_id>/json")
def json_view(draft_id: str) -> ResponseReturnValue:
    with db() as session:
        draft = draft_of(session, draft_id)
        return render_template(
            "admin/builder/json.html", draft=draft, text=pack_text(draft.definition)
        )


@bp.get("/d/<draft_id>/download")
def download(draft_id: str) -> ResponseReturnValue:
    """The draft pack as a file, ready to be reviewed or imported elsewhere."""
    with db() as session:
        draft = draft_of(session, draft_id)
        text, name = pack_text(draft.definition), f"{draft.pack_id}-draft.json"
    return Response(
        text.encode("utf-8"),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
