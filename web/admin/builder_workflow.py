"""The builder's workflow section: a draft module's states and transitions edited in forms,
with the drawing of the state machine beside them, redrawn after every edit.

Each edit is an engine function on the draft's pack (engine/builder/workflow_edits.py) and
the draft is saved after every accepted one; a refused edit answers 422 with the section,
the reason in the admin's language and the draft unchanged. The drawing is
engine/builder/diagram.py, called here directly, with the admin console's words for it.

While the admin types in a state or transition form, htmx posts the unsaved form to
`draw`, which applies it with the same edit to a copy of the draft's pack and answers only
the drawing and its flaws; nothing is saved. A refused one answers the reason, retargeted
beside the form (HX-Retarget), so the drawing stays as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from engine.builder import drafts
from engine.builder import workflow_edits as wf
from engine.builder.diagram import draw_workflow, read_roles
from engine.builder.edits import module_of, titles
from engine.errors import DefinitionError, Problem, ValidationFailed
from engine.kinds import detect
from engine.models import BuilderDraft
from web.admin.builder_editor import draft_of
from web.admin.guard import admin_blueprint
from web.admin.workflow_diagram import words
from web.i18n import language
from web.pages.context import db
from web.problems import problem_message
from web.transactions import reads_only

bp = admin_blueprint("admin_builder_workflow", __name__, url_prefix="/admin/builder")


def _posted(name: str) -> str:
    return request.form.get(name, "").strip()


def _drawing(workflow: Any, roles: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """The SVG and its problems in the admin's language (or why it cannot be drawn)."""
    try:
        drawing = draw_workflow(
            workflow, roles=roles, fields=fields, language=language(), words=words()
        )
    except DefinitionError as error:
        return {"svg": None, "flaws": [(p.code, None, problem_message(p)) for p in error.problems]}
    flaws = [(p.code, p.params.get("state"), problem_message(p)) for p in drawing.problems]
    return {"svg": Markup(drawing.svg), "flaws": flaws}  # every word escaped by diagram_svg


def _pieces(definition: Mapping[str, Any], module_id: str) -> dict[str, Any]:
    """What the section and its drawing are made of: the module, its workflow, role titles
    (with the built-in administrator) and field titles."""
    module = module_of(dict(definition), module_id)
    workflow = module.get("workflow")
    roles = {"admin": _("Administrator"), **read_roles(definition.get("roles"))}
    properties = module.get("schema", {}).get("properties", {})
    fields = {n: s.get("title", n) for n, s in properties.items() if isinstance(s, Mapping)}
    workflow = workflow if isinstance(workflow, Mapping) else None
    drawn = _drawing(workflow, roles, fields) if workflow is not None else {}
    return {"module": module, "workflow": workflow, "roles": roles, "fields": fields, **drawn}


def _timing(workflow: Mapping[str, Any] | None) -> dict[str, Any]:
    """Each state's due time as the form shows it, and the transitions its on_due may name."""
    if workflow is None:
        return {}
    return {
        sid: {"due": wf.due_parts(state.get("due")), "leaving": wf.leaving(workflow, sid)}
        for sid, state in (workflow.get("states") or {}).items()
        if isinstance(state, Mapping)
    }


def render_section(
    session: Session,
    draft: BuilderDraft,
    problems: list[Problem] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The workflow section of the draft's module (whole page; its forms post back here)."""
    pieces = _pieces(draft.definition, draft.module_id)
    properties = pieces["module"].get("schema", {}).get("properties", {})
    user_fields = [n for n, s in properties.items() if detect(s).names_user]
    page = render_template(
        "admin/builder/_workflow.html",
        draft=draft,
        user_fields=user_fields,
        timing=_timing(pieces["workflow"]),
        problems=[problem_message(p) for p in problems or []],
        pack_json=json.dumps(draft.definition, ensure_ascii=False),
        **pieces,
    )
    return page, status


def _back(draft_id: str, anchor: str = "") -> ResponseReturnValue:
    where = url_for("admin_builder_workflow.section", draft_id=draft_id)
    return redirect(where + (f"#{anchor}" if anchor else ""), code=303)


def _edit(draft_id: str, change: Any, anchor: str = "") -> ResponseReturnValue:
    """Apply `change(pack, module_id)` to the draft and save it, or show why not (422)."""
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            pack = change(draft.definition, draft.module_id)
        except ValidationFailed as refused:
            return render_section(session, draft, refused.problems, 422)
        drafts.save_draft(session, draft, pack)
    return _back(draft_id, anchor)


@bp.get("/d/<draft_id>/workflow")
def section(draft_id: str) -> ResponseReturnValue:
    """The states, the transitions and the drawing of the draft module's workflow."""
    with db() as session:
        return render_section(session, draft_of(session, draft_id))


@bp.post("/d/<draft_id>/workflow/start")
def start(draft_id: str) -> ResponseReturnValue:
    """A first workflow for a module without one: draft → submitted → approved."""
    return _edit(draft_id, wf.start_workflow)


def _title() -> dict[str, str]:
    return titles(_posted("title_en"), _posted("title_zh"))


@bp.post("/d/<draft_id>/workflow/states")
def add_state(draft_id: str) -> ResponseReturnValue:
    """A new state, its id from the English title unless one is given."""
    return _edit(draft_id, lambda p, m: wf.add_state(p, m, _title(), _posted("id"))[0])


def _state(pack: Any, module_id: str, state: str) -> Any:
    """The posted state form applied: titles, flags, due time (amount and unit), on_due."""
    return wf.set_state(
        pack, module_id, state, _title(),
        readonly=bool(_posted("readonly")), final=bool(_posted("final")),
        initial=bool(_posted("initial")), due=(_posted("due"), _posted("due_unit") or "days"),
        on_due=_posted("on_due"),
    )  # fmt: skip


@bp.post("/d/<draft_id>/workflow/states/<state>")
def save_state(draft_id: str, state: str) -> ResponseReturnValue:
    """A state's titles, flags, due time and what fires when it passes."""
    return _edit(draft_id, lambda p, m: _state(p, m, state), f"state-{state}")


@bp.post("/d/<draft_id>/workflow/states/<state>/remove")
def remove_state(draft_id: str, state: str) -> ResponseReturnValue:
    """Remove a state no transition uses (else the reason names the transitions)."""
    return _edit(draft_id, lambda p, m: wf.remove_state(p, m, state))


def _transition(pack: Any, module_id: str, transition_id: str) -> Any:
    """The posted transition form applied; `approver` is `role:<id>` or `field:<name>`."""
    by, _sep, who = _posted("approver").partition(":")
    approval = (_posted("quorum"), by or "role", who)
    when = _posted(f"when.{transition_id or 'new'}")
    return wf.set_transition(
        pack, module_id, transition_id, _title(),
        request.form.getlist("from"), _posted("to"),
        roles=request.form.getlist("roles"), owner_only=bool(_posted("owner_only")),
        comment=_posted("comment") or "optional", when=when, approval=approval,
    )[0]  # fmt: skip


@bp.post("/d/<draft_id>/workflow/transitions")
def add_transition(draft_id: str) -> ResponseReturnValue:
    """A new transition, its id derived from the English title."""
    return _edit(draft_id, lambda p, m: _transition(p, m, ""))


@bp.post("/d/<draft_id>/workflow/transitions/<name>")
def save_transition(draft_id: str, name: str) -> ResponseReturnValue:
    """A transition's states, roles, comment rule, guard and approval."""
    return _edit(draft_id, lambda p, m: _transition(p, m, name), f"transition-{name}")


@bp.post("/d/<draft_id>/workflow/transitions/<name>/remove")
def remove_transition(draft_id: str, name: str) -> ResponseReturnValue:
    """Remove a transition."""
    return _edit(draft_id, lambda p, m: wf.remove_transition(p, m, name))


Change = Callable[[Any, str], Any]


def _unsaved(kind: str, name: str) -> Change:
    """The edit a state or transition form would make when saved (`name` empty: added)."""
    if kind == "state" and name:
        return lambda p, m: _state(p, m, name)
    if kind == "state":
        return lambda p, m: wf.add_state(p, m, _title(), _posted("id"))[0]
    if kind == "transition":
        return lambda p, m: _transition(p, m, name)
    abort(404)


@bp.post("/d/<draft_id>/workflow/draw/<kind>", defaults={"name": ""})
@bp.post("/d/<draft_id>/workflow/draw/<kind>/<name>")
@reads_only
def draw(draft_id: str, kind: str, name: str) -> ResponseReturnValue:
    """The drawing with a form's unsaved values applied to a copy of the draft (never saved);
    refused: the reason, retargeted beside the form, and the drawing left as it was."""
    change = _unsaved(kind, name)
    reason = f"wf-reason-{kind}-{name}" if name else f"wf-reason-add-{kind}"
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            pack = change(draft.definition, draft.module_id)  # the edits work on a copy
        except ValidationFailed as refused:
            messages = [problem_message(p) for p in refused.problems]
            page = render_template("admin/builder/_workflow_reason.html", messages=messages)
            # 200, not 422: a preview of half-typed values is no failed request (the browser
            # would log each one as an error while the admin types); the header says refused
            headers = {"HX-Retarget": f"#{reason}", "HX-Reswap": "innerHTML"}
            return page, 200, {**headers, "X-Formwork-Refused": refused.problems[0].code}
        pieces = _pieces(pack, draft.module_id)
    return render_template("admin/builder/_workflow_drawing.html", live=True, reason=reason,
                           **pieces)  # fmt: skip
