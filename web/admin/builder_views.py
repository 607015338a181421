"""The builder's list and views: the draft module's list columns (in drag order), sort,
filters, search and totals, and its board, calendar and Gantt views, each chosen from the
fields that fit there (engine/builder/view_edits.py asks the pack checks which those are).

Each form saves one part of `ui` through an engine edit; a refused one answers 422 with the
page as the admin left it and the reasons in their language, the draft unchanged. The small
preview draws the list's header and totals row with the chosen columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.builder import drafts
from engine.builder.edits import module_index, module_of
from engine.builder.view_edits import (
    VIEW_TYPES,
    Choices,
    choices,
    list_of,
    set_list,
    set_views,
    views_of,
)
from engine.definitions.check_ui import VIEW_FIELDS
from engine.errors import ValidationFailed
from engine.models import BuilderDraft, InstalledPack
from web.admin.builder_editor import draft_of
from web.admin.guard import admin_blueprint
from web.i18n import text
from web.pages.context import db
from web.pages.formatting import system_title
from web.problems import problem_message

bp = admin_blueprint("admin_builder_views", __name__, url_prefix="/admin/builder")


def installed_modules(session: Session, pack_id: str) -> dict[str, Any]:
    """The modules of the other installed packs, which the draft's fields may read."""
    others = session.scalars(select(InstalledPack).where(InstalledPack.id != pack_id))
    return {m["id"]: m for p in others for m in p.definition.get("modules", ())}


def _labels(module: Mapping[str, Any]) -> dict[str, str]:
    """Every name a place may take, in the admin's language."""
    props = module.get("schema", {}).get("properties", {})
    labels = {name: system_title(name) for name in ("$id", "$number", "$state", "$owner")}
    labels.update({n: system_title(n) for n in ("$created_at", "$updated_at")})
    labels.update({n: text(s.get("title")) or n for n, s in props.items() if isinstance(s, dict)})
    return labels


def _column_order(chosen: list[str], offered: Choices) -> list[str]:
    """The chosen columns first, in their order, then the others that fit."""
    return chosen + [n for n in offered.places["columns"] if n not in chosen]


def _page(
    session: Session,
    draft: BuilderDraft,
    listing: Mapping[str, Any] | None = None,
    views: Mapping[str, Mapping[str, str]] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    definition = draft.definition
    module = module_of(definition, draft.module_id)
    offered = choices(definition, draft.module_id, installed_modules(session, draft.pack_id))
    labels = _labels(module)
    shown_list = dict(listing) if listing is not None else list_of(definition, draft.module_id)
    page = render_template(
        "admin/builder/views.html",
        draft=draft,
        module=module,
        offered=offered,
        listing=shown_list,
        order=_column_order(list(shown_list["columns"]), offered),
        views=views if views is not None else views_of(definition, draft.module_id),
        view_types=VIEW_TYPES,
        view_keys={v: list(keys) for v, keys in VIEW_FIELDS.items()},
        labels=labels,
        named=lambda names: ", ".join(labels.get(n, n) for n in names),
        saved=list_of(definition, draft.module_id),
        problems=problems or [],
    )
    return page, status


@bp.get("/d/<draft_id>/views")
def views(draft_id: str) -> ResponseReturnValue:
    """The list and views of the draft's module (`?module=` opens another of its modules)."""
    with db() as session:
        draft = draft_of(session, draft_id)
        module = request.args.get("module", "")
        if module and module != draft.module_id:
            module_index(draft.definition, module)  # an unknown one is refused
            drafts.save_draft(session, draft, draft.definition, module)
        return _page(session, draft)


def _moved(order: list[str], move: str) -> list[str]:
    """The column order with one column moved a place up or down (`up:date`)."""
    way, _sep, name = move.partition(":")
    if name not in order:
        return order
    at = order.index(name)
    to = at - 1 if way == "up" else at + 1
    if 0 <= to < len(order):
        order[at], order[to] = order[to], order[at]
    return order


def _posted_list() -> dict[str, Any]:
    form = request.form
    checked = set(form.getlist("columns"))
    order = _moved(list(dict.fromkeys(form.getlist("order"))), form.get("move", ""))
    columns = [n for n in order if n in checked] + [n for n in checked if n not in order]
    return {
        "columns": columns,
        "sort": form.get("sort", "").strip(),
        "descending": form.get("direction") == "desc",
        "filters": form.getlist("filters"),
        "search": form.getlist("search"),
        "totals": form.getlist("totals"),
    }


@bp.post("/d/<draft_id>/views/list")
def save_list(draft_id: str) -> ResponseReturnValue:
    """The list's columns in the order shown, sort, filters, search and totals."""
    with db() as session:
        draft = draft_of(session, draft_id)
        chosen = _posted_list()
        try:
            pack = set_list(
                draft.definition,
                draft.module_id,
                **chosen,
                installed=installed_modules(session, draft.pack_id),
            )
        except ValidationFailed as refused:
            shown = [problem_message(p) for p in refused.problems]
            return _page(session, draft, listing=chosen, problems=shown, status=422)
        drafts.save_draft(session, draft, pack)
    where = url_for("admin_builder_views.views", draft_id=draft_id)
    return redirect(where + "#list-settings", code=303)


@bp.post("/d/<draft_id>/views/views")
def save_views(draft_id: str) -> ResponseReturnValue:
    """The views that are switched on, each with the fields chosen for its keys."""
    form = request.form
    enabled = set(form.getlist("enable"))
    posted = {
        kind: {"type": kind, **{key: form.get(f"{kind}.{key}", "") for key in VIEW_FIELDS[kind]}}
        for kind in VIEW_TYPES
    }
    chosen = [posted[kind] for kind in VIEW_TYPES if kind in enabled]
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            pack = set_views(
                draft.definition,
                draft.module_id,
                chosen,
                installed=installed_modules(session, draft.pack_id),
            )
        except ValidationFailed as refused:
            shown = [problem_message(p) for p in refused.problems]
            kept = {kind: posted[kind] for kind in enabled if kind in posted}
            return _page(session, draft, views=kept, problems=shown, status=422)
        drafts.save_draft(session, draft, pack)
    where = url_for("admin_builder_views.views", draft_id=draft_id)
    return redirect(where + "#view-settings", code=303)
