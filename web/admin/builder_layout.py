"""The builder's form layout: a draft module's sections (titles, columns, fields) edited in
the browser, with the live preview — the real form of the draft — beside them.

The sections form posts the whole arrangement at once: a field dragged to another section
(web/static/js/builder-layout.js) and a field moved with its "move to" select (keyboard,
phones, no script) reach the same view. Each edit is an engine function on the draft's pack
(engine/builder/layout_edits.py); the draft is saved after an accepted one, and a refused
one answers 422 with the page, the reason in the admin's language beside the section it is
about, and the draft unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from engine.builder import drafts
from engine.builder import layout_edits as le
from engine.builder.edits import module_index, module_of, refuse
from engine.errors import Problem, ValidationFailed
from engine.models import BuilderDraft
from web.admin.builder_editor import draft_of, preview_of
from web.admin.guard import admin_blueprint
from web.i18n import text
from web.pages.context import db
from web.problems import problem_message

bp = admin_blueprint("admin_builder_layout", __name__, url_prefix="/admin/builder")

SECTION_AT = re.compile(r"/ui/layout/(\d+)")
Change = Callable[[dict[str, Any], str], dict[str, Any]]


def _labels(definition: dict[str, Any], module_id: str) -> dict[str, str]:
    """Each field's label in the admin's language (its id when it has none)."""
    properties = module_of(definition, module_id).get("schema", {}).get("properties", {})
    return {
        name: text(schema.get("title")) or name if isinstance(schema, Mapping) else name
        for name, schema in properties.items()
    }


def _placed_problems(problems: list[Problem], count: int) -> tuple[dict[int, list[str]], list[str]]:
    """Messages by the section they are about (of the `count` shown), and the others."""
    by_section: dict[int, list[str]] = {}
    others: list[str] = []
    for problem in problems:
        match = SECTION_AT.search(problem.path)
        if match and int(match.group(1)) < count:
            by_section.setdefault(int(match.group(1)), []).append(problem_message(problem))
        else:
            others.append(problem_message(problem))
    return by_section, others


def _shown(section: le.SectionDraft) -> str:
    """The section's title in the admin's language (the other one when that one is empty)."""
    given = {k: v for k, v in (("en", section.title_en), ("zh-CN", section.title_zh)) if v}
    return text(given) if given else ""


def _sections(layout: le.Layout) -> list[dict[str, Any]]:
    """Each section as the page shows it: its key (its place), titles and fields."""
    return [
        {
            "key": str(index),
            "number": index + 1,
            "title_en": section.title_en,
            "title_zh": section.title_zh,
            "shown": _shown(section),
            "columns": section.columns,
            "fields": section.fields,
        }
        for index, section in enumerate(layout.sections)
    ]


def render_layout(
    session: Session,
    draft: BuilderDraft,
    problems: list[Problem] | None = None,
    *,
    adding: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    """The layout page; `adding` puts the problems beside the new-section form."""
    layout = le.layout_of(draft.definition, draft.module_id)
    by_section, others = _placed_problems([] if adding else problems or [], len(layout.sections))
    page = render_template(
        "admin/builder/layout.html",
        draft=draft,
        module=module_of(draft.definition, draft.module_id),
        sections=_sections(layout),
        unplaced=layout.unplaced,
        labels=_labels(draft.definition, draft.module_id),
        by_section=by_section,
        problems=others,
        add_problems=[problem_message(p) for p in problems or []] if adding else [],
        preview=preview_of(session, draft),
    )
    return page, status


def _edit(draft_id: str, change: Change, *, adding: bool = False) -> ResponseReturnValue:
    """Apply `change(pack, module_id)` to the draft and save it, or show why not (422)."""
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            pack = change(draft.definition, draft.module_id)
        except ValidationFailed as refused:
            return render_layout(session, draft, refused.problems, adding=adding, status=422)
        drafts.save_draft(session, draft, pack)
    return redirect(url_for("admin_builder_layout.layout", draft_id=draft_id), code=303)


def _columns(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        raise refuse("", "builder_not_a_whole_number", value=value) from None


def _posted_sections() -> tuple[list[str], list[le.SectionDraft]]:
    """The section keys in the order posted, and each section as the form holds it."""
    form = request.form
    keys = form.getlist("section")
    sections = [
        le.SectionDraft(
            form.get(f"title_en.{key}", ""),
            form.get(f"title_zh.{key}", ""),
            _columns(form.get(f"columns.{key}")),
            tuple(form.getlist(f"fields.{key}")),
        )
        for key in keys
    ]
    return keys, sections


def _arrange(pack: dict[str, Any], module_id: str) -> dict[str, Any]:
    """The posted sections, then each field whose "move to" select names another place."""
    keys, sections = _posted_sections()
    pack = le.set_layout(pack, module_id, sections)
    where = {name: key for key, s in zip(keys, sections, strict=True) for name in s.fields}
    for field, target in request.form.items():
        if not field.startswith("move."):
            continue
        name = field.removeprefix("move.")
        if target == where.get(name, ""):
            continue
        if target and target not in keys:
            raise refuse("/ui/layout", "builder_unknown_section", value=target)
        pack = le.move_field(pack, module_id, name, keys.index(target) if target else None)
    return pack


@bp.get("/d/<draft_id>/layout")
def layout(draft_id: str) -> ResponseReturnValue:
    """The sections of the draft module's form, the fields not placed, and the preview."""
    with db() as session:
        draft = draft_of(session, draft_id)
        module = request.args.get("module", "")
        if module and module != draft.module_id:
            module_index(draft.definition, module)  # an unknown one is refused
            drafts.save_draft(session, draft, draft.definition, module)
        return render_layout(session, draft)


@bp.post("/d/<draft_id>/layout")
def arrange(draft_id: str) -> ResponseReturnValue:
    """Every section's titles, columns and fields at once (after a drag, a move or Save)."""
    return _edit(draft_id, _arrange)


def _new_section(pack: dict[str, Any], module_id: str) -> dict[str, Any]:
    form = request.form
    first = form.get("field", "")
    section = le.SectionDraft(
        form.get("title_en", ""),
        form.get("title_zh", ""),
        _columns(form.get("columns")),
        (first,) if first else (),
    )
    return le.add_section(pack, module_id, section)


@bp.post("/d/<draft_id>/layout/sections")
def add_section(draft_id: str) -> ResponseReturnValue:
    """A new section at the end, with its first field (taken from where it was)."""
    return _edit(draft_id, _new_section, adding=True)


@bp.post("/d/<draft_id>/layout/sections/<int:index>/remove")
def remove_section(draft_id: str, index: int) -> ResponseReturnValue:
    """Remove a section; its fields follow the others, not placed."""
    return _edit(draft_id, lambda pack, module_id: le.remove_section(pack, module_id, index))
