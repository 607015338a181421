"""The module builder in the admin console: drafts, starting a module, the editor page.

An admin's unpublished work is a draft (engine/builder/drafts.py), saved after every edit
whatever its state, listed here to resume or discard. A module starts in a new pack or in an
installed one, blank or as a copy of an installed module; an installed pack is opened in
the builder as a draft of its current definition. Field edits are in builder_fields.py,
the preview in builder_preview.py, publishing in builder_publish.py.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from engine.builder import drafts, edits
from engine.errors import Problem, ValidationFailed
from engine.models import InstalledModule
from engine.packs import list_packs
from web.admin.builder_editor import draft_of, draft_problems, owner, render_editor
from web.admin.guard import admin_blueprint
from web.pages.context import db

bp = admin_blueprint("admin_builder", __name__, url_prefix="/admin/builder")


def posted(name: str) -> str:
    return request.form.get(name, "").strip()


@bp.get("/")
def index() -> ResponseReturnValue:
    """The admin's drafts, and where to start a module or open an installed pack."""
    with db() as session:
        mine = drafts.list_drafts(session, owner())
        packs = list_packs(session)
        return render_template("admin/builder/index.html", drafts=mine, packs=packs)


def _start_page(problems: list[Problem] | None = None, status: int = 200) -> ResponseReturnValue:
    with db() as session:
        packs = list_packs(session)
        modules = sorted(session.scalars(select(InstalledModule.id)))
    shown = draft_problems({}, problems or [])
    page = render_template(
        "admin/builder/start.html", packs=packs, modules=modules, problems=shown, form=request.form
    )
    return page, status


@bp.get("/new")
def new() -> ResponseReturnValue:
    return _start_page()


@bp.post("/new")
def start() -> ResponseReturnValue:
    """A draft with the new module, in a new pack or added to an installed one."""
    in_new_pack = posted("pack") in ("", "_new")
    try:
        title = edits.titles(posted("title_en"), posted("title_zh"))
        pack_title = None
        if in_new_pack:
            pack_title = edits.titles(posted("pack_title_en"), posted("pack_title_zh"), "/title")
        with db() as session:
            draft = drafts.start_module(
                session,
                owner(),
                module_id=posted("module_id"),
                title=title,
                pack_id=posted("pack_id") if in_new_pack else posted("pack"),
                pack_title=pack_title,
                numbering=posted("numbering"),
                title_field=posted("title_field"),
                template=posted("template"),
            )
            draft_id = draft.id
    except ValidationFailed as refused:
        return _start_page(refused.problems, 422)
    return redirect(url_for(".editor", draft_id=draft_id), code=303)


@bp.get("/packs/<pack_id>")
def pack(pack_id: str) -> ResponseReturnValue:
    """An installed pack in the builder: resume a draft of it or start one."""
    with db() as session:
        drafts.installed_pack(session, pack_id)
        mine = [d for d in drafts.list_drafts(session, owner()) if d.pack_id == pack_id]
        return render_template("admin/builder/pack.html", pack_id=pack_id, drafts=mine)


@bp.post("/packs/<pack_id>")
def edit_pack(pack_id: str) -> ResponseReturnValue:
    with db() as session:
        draft = drafts.edit_installed(session, owner(), pack_id, posted("module"))
        draft_id = draft.id
    return redirect(url_for(".editor", draft_id=draft_id), code=303)


@bp.get("/d/<draft_id>")
def editor(draft_id: str) -> ResponseReturnValue:
    """The editor: fields, the chosen field's settings and the live preview."""
    with db() as session:
        draft = draft_of(session, draft_id)
        module = request.args.get("module", "")
        if module and module != draft.module_id:
            edits.module_index(draft.definition, module)  # an unknown one is refused
            drafts.save_draft(session, draft, draft.definition, module)
        selected = request.args.get("field", "")
        return render_editor(session, draft, selected=selected, table=request.args.get("table", ""))


@bp.post("/d/<draft_id>/module")
def module_settings(draft_id: str) -> ResponseReturnValue:
    """The module's titles, numbering pattern and title field."""
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            title = edits.titles(posted("title_en"), posted("title_zh"))
            pack = edits.set_module(
                draft.definition, draft.module_id, title, posted("numbering"), posted("title_field")
            )
        except ValidationFailed as refused:
            return render_editor(session, draft, problems=refused.problems, status=422)
        drafts.save_draft(session, draft, pack)
    flash(_("Saved in the draft."), "success")
    return redirect(url_for(".editor", draft_id=draft_id), code=303)


@bp.post("/d/<draft_id>/discard")
def discard(draft_id: str) -> ResponseReturnValue:
    with db() as session:
        drafts.discard_draft(session, owner(), draft_id)
    flash(_("The draft is discarded."), "info")
    return redirect(url_for(".index"), code=303)
