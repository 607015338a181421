"""The drawing of a module's state machine in the admin console, and its redraw for the builder.

GET /admin/workflow/<module> draws an installed module's workflow with its flaws listed
below and a legend; POST /admin/workflow/draw takes a workflow as JSON text (the form field
`workflow`; optional `roles`, the pack's roles list, and `fields`, an object of field name →
title, give the labels their titles) and answers the drawing as an HTML
fragment, which the builder swaps in with htmx as the admin edits. A draft it cannot read
answers a fragment naming the problem in the admin's language, with a 4xx status. The
drawing itself is engine/builder/diagram.py; this file only picks the reader's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from engine.builder.diagram import (
    MAX_TEXT,
    Drawing,
    Words,
    draw_workflow,
    read_roles,
    read_titles,
    read_workflow_text,
)
from engine.catalog import load_catalog
from engine.definitions import Module
from engine.errors import DefinitionError, Problem
from engine.exactjson import dumps
from web.admin.guard import admin_blueprint
from web.i18n import language, text
from web.pages.context import db
from web.problems import problem_message

bp = admin_blueprint("admin_workflow", __name__, url_prefix="/admin/workflow")


def words() -> Words:
    """The drawing's own words in the reader's language."""
    return Words(
        readonly=_("read-only"),
        final=_("final"),
        due=_("due in %(duration)s", duration="{duration}"),
        on_due=_("then %(transition)s", transition="{transition}"),
        days=_("%(n)s d", n="{n}"),
        hours=_("%(n)s h", n="{n}"),
        minutes=_("%(n)s min", n="{n}"),
        weeks=_("%(n)s wk", n="{n}"),
        quorum_any=_("any one of %(who)s", who="{who}"),
        quorum_all=_("all of %(who)s", who="{who}"),
        quorum_count=_("%(n)s votes of %(who)s", n="{n}", who="{who}"),
        quorum_share=_("%(n)s of %(who)s", n="{n}", who="{who}"),
        field_approvers=_("user in %(who)s", who="{who}"),
        owner_only=_("owner only"),
        comment_required=_("comment required"),
        no_self_approval=_("not the owner"),
        withdraw=_("withdraw"),
        automatic=_("automatic"),
    )


def _field_titles(module: Module) -> dict[str, Any]:
    properties = module.raw.get("schema", {}).get("properties", {})
    return {name: spec.get("title", name) for name, spec in properties.items()}


def _draw(raw: Any, roles: Mapping[str, Any], fields: Mapping[str, Any], title: str) -> Drawing:
    roles = {"admin": _("Administrator"), **roles}
    return draw_workflow(raw, roles=roles, fields=fields, language=language(), words=words(),
                         title=title)  # fmt: skip


@bp.get("/<module_id>")
def show(module_id: str) -> ResponseReturnValue:
    """An installed module's state machine, its flaws and a legend."""
    with db() as session:
        catalog = load_catalog(session)
        module = catalog.module(module_id)
        pack = catalog.packs[module.pack_id]
        drawing = None
        if module.workflow is not None:
            title = _("State machine of %(module)s", module=text(module.title))
            drawing = _draw(module.raw["workflow"], pack.roles, _field_titles(module), title)
        return render_template(
            "admin/workflow/show.html",
            module=module,
            pack=pack,
            source=_source(module),
            roles_json=dumps(_thawed(pack.roles)),
            max_text=MAX_TEXT,
            **_shown(drawing),
        )


def _shown(drawing: Drawing | None) -> dict[str, Any]:
    """What the drawing fragment shows: the SVG and each problem in the reader's language."""
    if drawing is None:
        return {"drawing": None, "svg": None, "problems": []}
    return {
        "drawing": drawing,
        "svg": Markup(drawing.svg),  # every word escaped by engine/builder/diagram_svg.py
        "problems": _messages(drawing.problems),
    }


def _messages(problems: Iterable[Problem]) -> list[tuple[str, str | None, str]]:
    return [(p.code, p.params.get("state"), problem_message(p)) for p in problems]


def _thawed(value: Any) -> Any:
    """A compiled module's frozen raw text (mappings, tuples) as plain JSON values."""
    if isinstance(value, Mapping):
        return {k: _thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


def _source(module: Module) -> str:
    """The module's workflow as JSON, for the page's try-a-change box."""
    workflow = module.raw.get("workflow")
    return dumps(_thawed(workflow), indent=2) if workflow is not None else ""


def _optional_json(name: str) -> Any:
    """An optional JSON form field (None when absent)."""
    value = request.form.get(name, "").strip()
    return read_workflow_text(value) if value else None


@bp.post("/draw")
def draw() -> ResponseReturnValue:
    """The drawing of the posted workflow, as a fragment for htmx (or its refusal, 4xx)."""
    try:
        raw = read_workflow_text(request.form.get("workflow", ""))
        roles = read_roles(_optional_json("roles"))
        fields = read_titles(_optional_json("fields"))
        drawing = _draw(raw, roles, fields, _("State machine"))
    except DefinitionError as error:
        too_large = any(p.code == "diagram_too_large" and not p.path for p in error.problems)
        page = render_template("admin/workflow/_refused.html", problems=_messages(error.problems))
        return page, 413 if too_large else 422
    return render_template("admin/workflow/_drawing.html", **_shown(drawing))


@bp.app_template_global()
def has_workflow(module_id: str) -> bool:
    """Whether an installed module has a workflow to draw (for links to its drawing)."""
    with db() as session:  # joins the page's transaction; the catalog is read once a request
        module = load_catalog(session).modules.get(module_id)
        return module is not None and module.workflow is not None
