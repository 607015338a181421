"""What the builder's editor page shows: the draft's fields, the chosen field's settings, the
problems of the draft in the admin's language (placed at the field they point at) and the
live preview — the real form, drawn by web/pages' form code from the draft compiled in memory.

The views of web/admin/builder*.py call `render_editor` after each edit, so a refused edit
shows the same page with its problems, a 4xx status and the draft as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.builder.drafts import get_draft
from engine.builder.edits import holder, module_index
from engine.builder.palette import PALETTE, palette
from engine.builder.publish import compile_draft, value_count
from engine.builder.settings import applicable, form_values
from engine.definitions.model import Module
from engine.errors import DefinitionError, Problem, ValidationFailed
from engine.kinds import FieldKind, detect
from engine.models import BuilderDraft, InstalledModule
from web.admin.builder_samples import sample_inputs
from web.i18n import text
from web.pages.context import actor
from web.pages.formviews import SectionView, form_context, sections
from web.problems import problem_message

FIELD_AT = re.compile(r"^/modules/(\d+)/schema/properties/([^/]+)(?:/items/properties/([^/]+))?")
CONDITION_AT = re.compile(r"^/modules/(\d+)/ui/(?:show_if|required_if)/([^/]+)")  # the field's


@dataclass(frozen=True)
class FieldItem:
    """One field in the editor's list."""

    name: str
    label: str
    kind: FieldKind
    kind_title: str
    required: bool
    computed: bool
    columns: tuple[FieldItem, ...] = ()

    @property
    def table(self) -> bool:
        return self.kind.rows


@dataclass(frozen=True)
class DraftProblem:
    """A problem of the draft, in the admin's language, with the field it is about."""

    pointer: str
    code: str
    message: str
    field: str = ""  # "items" or "items.qty"; "" when about the module or the pack


@dataclass
class Preview:
    """The real form of the draft's module, or why the draft does not compile."""

    module: Module | None = None
    sections: list[SectionView] = field(default_factory=list)
    problems: list[DraftProblem] = field(default_factory=list)


def owner() -> str:
    """The signed-in admin's name: drafts belong to it."""
    return actor().name or ""


def draft_of(session: Session, draft_id: str) -> BuilderDraft:
    """The signed-in admin's draft (another admin's is NotFound, a 404)."""
    return get_draft(session, owner(), draft_id)


def kind_title(kind: FieldKind, schema: Mapping[str, Any]) -> str:
    """The palette's name of a field: money and formulas by their preset, else their kind."""
    for key in ("formula", "money", "longtext"):
        preset = PALETTE[key]
        if preset.kind is kind and all(k in schema for k in preset.schema):
            return text(preset.title)
    entry = PALETTE.get(kind.name)
    return text(entry.title) if entry is not None else kind.name


def _item(name: str, schema: Mapping[str, Any], required: list[str]) -> FieldItem:
    kind = detect(schema)
    columns: tuple[FieldItem, ...] = ()
    items = schema.get("items")
    if kind.rows and isinstance(items, Mapping):
        row_required = list(items.get("required", []))
        columns = tuple(_item(n, s, row_required) for n, s in items.get("properties", {}).items())
    computed = "x-formula" in schema or "x-rollup" in schema
    label = text(schema.get("title")) or name
    return FieldItem(
        name, label, kind, kind_title(kind, schema), name in required, computed, columns
    )


def field_items(module: Mapping[str, Any]) -> list[FieldItem]:
    schema = module.get("schema", {})
    required = list(schema.get("required", []))
    return [_item(n, s, required) for n, s in schema.get("properties", {}).items()]


def draft_problems(definition: Mapping[str, Any], problems: list[Problem]) -> list[DraftProblem]:
    """Problems in the admin's language, each placed at the field its pointer names."""
    shown = []
    for problem in problems:
        match = FIELD_AT.match(problem.path) or CONDITION_AT.match(problem.path)
        name = ""
        if match:
            name = ".".join(p for p in match.groups()[1:] if p)
        shown.append(DraftProblem(problem.path, problem.code, problem_message(problem), name))
    return shown


def preview_of(session: Session, draft: BuilderDraft) -> Preview:
    """The draft compiled in memory and its module's form as the signed-in admin sees it."""
    try:
        pack = compile_draft(session, draft.definition)
    except (DefinitionError, ValidationFailed) as refused:
        return Preview(problems=draft_problems(draft.definition, refused.problems))
    module = pack.module_map.get(draft.module_id)
    if module is None:
        return Preview()
    who = actor()
    data = sample_inputs(module)  # formulas and conditions show their work from the start
    ctx = form_context(session, module, who, None, data, answer=abilities(who, module))
    return Preview(module, sections(session, ctx))


def link_targets(session: Session, definition: Mapping[str, Any]) -> list[str]:
    """The modules a link may point at: the installed ones and the draft's own."""
    installed = set(session.scalars(select(InstalledModule.id)))
    ours = {m.get("id") for m in definition.get("modules", ()) if isinstance(m, Mapping)}
    return sorted(str(m) for m in installed | ours if m)


def _selected(
    session: Session,
    draft: BuilderDraft,
    name: str,
    table: str | None,
    posted: Mapping[str, str] | None,
) -> dict[str, Any] | None:
    """The chosen field's settings form: its values, which settings show, how many values."""
    module = draft.definition["modules"][module_index(draft.definition, draft.module_id)]
    try:
        container = holder(module, table)
    except ValidationFailed:
        return None
    schema = container["properties"].get(name)
    if not isinstance(schema, Mapping):
        return None
    required = name in container.get("required", [])
    held = value_count(session, draft.module_id, name) if draft.base_version and not table else 0
    return {
        "name": name,
        "table": table or "",
        "kind": kind_title(detect(schema), schema),
        "inputs": dict(posted) if posted is not None else form_values(schema, required),
        "shown": applicable(detect(schema), schema),
        "held": held,
        "rows": detect(schema).rows,
        "dropped": name in module.get("migrate", {}).get("drop", []),
    }


def render_editor(
    session: Session,
    draft: BuilderDraft,
    *,
    selected: str = "",
    table: str = "",
    problems: list[Problem] | None = None,
    posted: Mapping[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The editor page (whole; htmx picks the part it swaps)."""
    definition = draft.definition
    module = definition["modules"][module_index(definition, draft.module_id)]
    chosen = _selected(session, draft, selected, table or None, posted) if selected else None
    page = render_template(
        "admin/builder/editor.html",
        draft=draft,
        module=module,
        items=field_items(module),
        chosen=chosen,
        palette=palette(),
        column_palette=palette(in_table=True),
        edit_problems=draft_problems(definition, problems or []),
        preview=preview_of(session, draft),
        targets=link_targets(session, definition),
        pack_json=json.dumps(definition, ensure_ascii=False),
        field_url=lambda name, tbl="": url_for(
            "admin_builder.editor", draft_id=draft.id, field=name, table=tbl or None
        ),
    )
    return page, status
