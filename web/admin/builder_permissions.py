"""The builder's permissions: the roles × actions matrix of the draft's module, each role's
field rules and row scope, and "view as role" — the real form and the list columns of the
draft's module as a user holding only that role would see them.

The edits are engine functions (engine/builder/permission_edits.py) on the draft's pack;
the whole matrix is saved at once, and a refused one answers 422 with the page, what was
chosen kept and the reason in the admin's language, the draft unchanged. The preview reads
the field modes from `engine.abilities` for an actor of that role, as the record pages do.
A role is added here too (its id made from the English title as the admin types, checked
for collisions like a field id); the matrix gains its row and the workflow section offers
it for transitions and approvals.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.builder import drafts
from engine.builder.edits import field_names, module_of
from engine.builder.permission_edits import (
    FLAGS,
    LEVELLED,
    add_role,
    declared_roles,
    link_fields,
    role_id_problem,
    set_permissions,
    suggest_role_id,
)
from engine.builder.publish import compile_draft
from engine.errors import DefinitionError, ValidationFailed
from engine.models import BuilderDraft
from web.admin.builder_editor import Preview, draft_of, draft_problems
from web.admin.guard import admin_blueprint
from web.pages.context import db
from web.pages.formviews import form_context, sections
from web.problems import problem_message

bp = admin_blueprint("admin_builder_permissions", __name__, url_prefix="/admin/builder")


def _matrix(definition: dict[str, Any], module_id: str) -> dict[str, dict[str, Any]]:
    """Each declared role's row as the form shows it: levels, flags, rules and scope."""
    table = module_of(definition, module_id).get("permissions", {})
    rows = {}
    for role in declared_roles(definition):
        row = table.get(role, {})
        levels = {a: row.get(a) if row.get(a) in ("own", "all") else "none" for a in LEVELLED}
        for action in ("update", "delete"):
            if row.get(action) is True:
                levels[action] = "all"
        rows[role] = {
            **levels,
            **{a: bool(row.get(a)) for a in FLAGS},
            "fields": dict(row.get("fields", {})),
            "scope": list(row.get("scope", ())),
        }
    return rows


def _posted(roles: list[str]) -> dict[str, dict[str, Any]]:
    """The matrix as the admin chose it in the form."""
    form, rows = request.form, {}
    for role in roles:
        prefix = f"{role}."
        rows[role] = {
            **{a: form.get(prefix + a, "none") for a in LEVELLED},
            **{a: bool(form.get(prefix + a)) for a in FLAGS},
            "fields": {
                key[len(prefix + "f.") :]: value
                for key, value in form.items()
                if key.startswith(prefix + "f.") and value
            },
            "scope": form.getlist(prefix + "scope"),
        }
    return rows


def view_as(session: Session, draft: BuilderDraft, role: str) -> tuple[Preview, list[str]]:
    """The draft's form and list columns for an actor holding only `role`."""
    try:
        pack = compile_draft(session, draft.definition)
    except (DefinitionError, ValidationFailed) as refused:
        return Preview(problems=draft_problems(draft.definition, refused.problems)), []
    module = pack.module_map.get(draft.module_id)
    if module is None:
        return Preview(), []
    who = Actor(name=f"preview:{role}", roles=frozenset({role}), grants={})
    answer = abilities(who, module)
    ctx = form_context(session, module, who, None, answer=answer)
    listed = module.ui.list.columns or tuple(f.name for f in module.fields[:5])
    columns = [name for name in listed if name in answer.visible]
    return Preview(module, sections(session, ctx)), columns


def _page(
    session: Session,
    draft: BuilderDraft,
    rows: dict[str, dict[str, Any]],
    problems: list[str] | None = None,
    status: int = 200,
    role_problems: list[str] | None = None,
) -> ResponseReturnValue:
    roles = list(rows)
    shown = request.args.get("as", "")
    role = shown if shown in roles else (roles[0] if roles else "")
    preview, columns = view_as(session, draft, role) if role else (Preview(), [])
    definition = draft.definition
    page = render_template(
        "admin/builder/_permissions.html",
        draft=draft,
        module=module_of(definition, draft.module_id),
        roles={r.get("id"): r.get("title") for r in definition.get("roles", ())},
        rows=rows,
        fields=field_names(definition, draft.module_id),
        props=module_of(definition, draft.module_id)["schema"]["properties"],
        links=link_fields(definition, draft.module_id),
        levelled=LEVELLED,
        flags=FLAGS,
        problems=problems or [],
        role=role,
        preview=preview,
        columns=columns,
        role_problems=role_problems or [],
    )
    return page, status


@bp.get("/d/<draft_id>/permissions")
def permissions(draft_id: str) -> ResponseReturnValue:
    with db() as session:
        draft = draft_of(session, draft_id)
        return _page(session, draft, _matrix(draft.definition, draft.module_id))


@bp.post("/d/<draft_id>/permissions")
def save(draft_id: str) -> ResponseReturnValue:
    """The whole matrix, every role's row at once; saved only if every row is accepted."""
    with db() as session:
        draft = draft_of(session, draft_id)
        rows = _posted(declared_roles(draft.definition))
        pack = draft.definition
        try:
            for role, row in rows.items():
                levels = {a: row[a] for a in LEVELLED}
                flags = [a for a in FLAGS if row[a]]
                pack = set_permissions(
                    pack, draft.module_id, role, levels, flags, row["fields"], row["scope"]
                )
        except ValidationFailed as refused:
            shown = [problem_message(p) for p in refused.problems]
            return _page(session, draft, rows, shown, status=422)
        drafts.save_draft(session, draft, pack)
    chosen: dict[str, Any] = {"as": request.form["as"]} if request.form.get("as") else {}
    where = url_for("admin_builder_permissions.permissions", draft_id=draft_id, **chosen)
    return redirect(where, code=303)


@bp.post("/d/<draft_id>/permissions/roles")
def add(draft_id: str) -> ResponseReturnValue:
    """A new role of the pack, with no rights yet: the matrix gains its row."""
    form = request.form
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            pack = add_role(draft.definition, form.get("role_id", ""),
                            form.get("title_en", ""), form.get("title_zh", ""))  # fmt: skip
        except ValidationFailed as refused:
            shown = [problem_message(p) for p in refused.problems]
            rows = _matrix(draft.definition, draft.module_id)
            return _page(session, draft, rows, status=422, role_problems=shown)
        drafts.save_draft(session, draft, pack)
        role = pack["roles"][-1]["id"]
    where = url_for("admin_builder_permissions.permissions", draft_id=draft_id, **{"as": role})
    return redirect(where + "#role-matrix", code=303)


@bp.get("/d/<draft_id>/permissions/role-id")
def check_role_id(draft_id: str) -> ResponseReturnValue:
    """As the admin types: the id an English title would give, or why a typed id is refused."""
    typed = request.args.get("role_id", "").strip()
    with db() as session:
        definition = draft_of(session, draft_id).definition
        hint: dict[str, Any] = {"typed": typed}
        if typed:
            problem = role_id_problem(definition, typed)
            hint["problem"] = problem_message(problem) if problem is not None else ""
        else:
            hint["suggested"] = suggest_role_id(definition, request.args.get("title_en", ""))
    return render_template("admin/builder/_id_hint.html", **hint)
