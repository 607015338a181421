"""What a form shows: each field's view (widget, value, error) grouped by the layout.

The modes come from the reader's abilities (`engine.abilities`): fields hidden from their
roles are absent, fields they may only read (or every field a read-only state locks) are
shown as text. The record page shows the same views read-only; the form routes are in
web/pages/forms.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field  # `field` is a FieldView attribute
from decimal import Decimal
from typing import Any

from flask import request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from engine.abilities import Abilities, abilities_in
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import Field, Module
from engine.definitions.row_links import row_link
from engine.errors import NotFound, PermissionDenied, Problem
from engine.records.defaults import blank_defaults
from engine.records.links import link_paths, linked_values
from engine.records.model import Record
from engine.records.row_links import row_choices, row_fields
from engine.records.service import get_record
from web.i18n import text
from web.pages.formatting import choice_text, field_title, restricted_text, value_text
from web.pages.formdata import Preview, coerce_leniently, input_moment, preview
from web.pages.messages import ShownProblem, problem_text
from web.pages.pickers import column_options, link_options, user_options
from web.pages.uploads import Reference, parse_reference


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
    options: list[tuple[str, str]] = dataclass_field(default_factory=list)
    rows: list[dict[str, Any]] = dataclass_field(default_factory=list)
    row_errors: dict[str, str] = dataclass_field(default_factory=dict)
    reference: Reference | None = None
    widget: str = ""
    solo: bool = False  # the only field of its section: the section's title names it
    row_of: str | None = None  # a row-link field: the record its row options belong to
    column_options: dict[str, list[tuple[str, str]]] = dataclass_field(default_factory=dict)

    @property
    def dom_id(self) -> str:
        return "fld-" + self.name

    @property
    def wide(self) -> bool:
        return self.field.kind_type.rows or self.widget == "textarea"


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
    abilities: Abilities
    problems: list[ShownProblem] = dataclass_field(default_factory=list)


# -- values -----------------------------------------------------------------------------


def input_value(f: Field, value: Any) -> Any:
    """A stored value as an input holds it (text; lists for multi-choice and child rows)."""
    if value is None:
        return [] if not f.kind_type.scalar else ""
    if f.kind_type.rows:
        return [
            {c.name: input_value(c, row.get(c.name)) for c in f.children if not c.computed}
            for row in value
        ]
    if f.kind_type.many:
        return [str(v) for v in value]
    if f.kind_type.flag:
        return bool(value) if not isinstance(value, str) else value == "true"
    if f.kind_type.aware:
        return input_moment(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def initial_data(
    module: Module,
    record: Record | None,
    modes: Mapping[str, str],
    start: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The inputs' first values: the record's, else `start` (computed defaults, a create-from
    source's values), else the static defaults."""
    data: dict[str, Any] = {}
    for f in module.fields:
        if modes.get(f.name) != "write":
            continue
        if record is not None:
            data[f.name] = input_value(f, record.data.get(f.name))
        elif start and f.name in start:
            data[f.name] = input_value(f, start[f.name])
        elif f.default is not None:
            data[f.name] = input_value(f, f.default)
        elif f.kind_type.rows:
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
    if f.kind_type.enumerated:
        return [(str(v), choice_text(f, v)) for v in f.enum or ()]
    if f.kind_type.links:
        return link_options(session, f, who, selected=str(selected) if selected else None)
    if f.kind_type.names_user and f.kind_type.many:  # the names already chosen stay offered
        offered = user_options(session)
        known = {value for value, _label in offered}
        return [(str(n), str(n)) for n in selected or () if str(n) not in known] + offered
    if f.kind_type.names_user:
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
    if mode == "computed" and ctx.record is not None and _uncomputed(ctx, f.name):
        typed = ctx.record.data.get(f.name)  # read through a link: the preview cannot, it's stored
    if mode == "write":
        view.value = ctx.data.get(f.name, [] if not f.kind_type.scalar else "")
        view.options = _options(session, f, ctx.who, view.value)
        if (via := row_link(f)) is not None:  # the rows of the record its link names
            view.row_of = str(ctx.data.get(via.link) or "")
            catalog = load_catalog(session)
            view.options = row_choices(session, catalog, module, f, view.row_of, ctx.who)
        if f.kind_type.holds_files:
            view.reference = parse_reference(ctx.record.data.get(f.name)) if ctx.record else None
    else:
        source = ctx.record.data.get(f.name) if mode == "read" and ctx.record else typed
        view.value = source
        view.display = value_text(f, source)
        if ctx.record is not None and f.name in ctx.record.restricted:
            view.display = restricted_text()
        if (f.kind_type.links or row_link(f) is not None) and ctx.record is not None:
            view.display = ctx.record.titles.get(f.name) or view.display
        if f.kind_type.holds_files:
            view.reference = parse_reference(source)
    if f.kind_type.rows:
        view.rows = _rows(ctx, f, mode)
        view.row_errors = {k: v for k, v in by_key.items() if k.startswith(f.name + ".")}
        view.options = []
        if mode == "write":  # link columns are picked by title, as a link field is
            view.column_options = column_options(session, f, ctx.who, view.rows)
    return view


def _uncomputed(ctx: FormContext, name: str) -> bool:
    """The preview could not compute this formula (it reads a linked record or row)."""
    return any(getattr(p, "path", None) == f"/{name}" for p in ctx.result.problems)


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
    modes = dict(ctx.abilities.fields)
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
    modes = ctx.abilities.fields
    outputs = []
    for f in ctx.module.fields:
        if modes.get(f.name) == "hidden":
            continue
        if f.computed:
            outputs.append((f"calc-{f.name}", value_text(f, ctx.result.values.get(f.name))))
        if f.kind_type.rows and modes.get(f.name) == "write":
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


def form_context(
    session: Session,
    module: Module,
    who: Actor,
    record: Record | None,
    data: dict[str, Any] | None = None,
    problems: list[Problem] | None = None,
    answer: Abilities | None = None,
    start: Mapping[str, Any] | None = None,
) -> FormContext:
    """The form as `who` sees it: field modes from their abilities, values previewed; a new
    form starts with `start` (a create-from source's values) over the computed defaults."""
    answer = answer or abilities_in(session, who, module, record)
    modes = answer.fields
    if data is None:
        if record is None:
            start = {
                **blank_defaults(module, system_values(module, None, who), who),
                **(start or {}),
            }
        data = initial_data(module, record, modes, start)
    writable = {k: v for k, v in data.items() if modes.get(k) == "write"}
    base = base_values(record)
    system = {**system_values(module, record, who), **_linked(session, module, base, writable, who)}
    result = preview(module, writable, who, system, base)
    shown = [problem_text(p, module) for p in problems or []]
    return FormContext(module, who, record, data, result, answer, shown)


def _linked(
    session: Session, module: Module, base: Mapping[str, Any], data: Mapping[str, Any], who: Actor
) -> dict[str, Any]:
    """The linked records and rows the formulas read (`inspection.date + finding.days`), as
    a save reads them, where `who` may read the linked record; a formula over others stays
    blank until saved."""
    catalog = load_catalog(session)
    if module.id not in catalog.modules or not link_paths(module):
        return {}
    values = {**base, **coerce_leniently(module, data)}
    (linked,) = linked_values(session, catalog, module, [values])
    readable: dict[str, Any] = {}
    for name, found in linked.items():
        f = module.field(name)
        via = row_link(f) if f is not None else None
        link = module.field(via.link if via is not None else name)
        if found is None or link is None or not values.get(link.name):
            continue
        try:
            get_record(session, link.ref or "", str(values[link.name]), who)
        except (NotFound, PermissionDenied):
            continue
        readable[name] = found
    return readable


def changed_fields(session: Session, ctx: FormContext) -> list[FieldView]:
    """Conditional fields whose visibility or requirement differs from what the page shows."""
    changed = []
    modes = ctx.abilities.fields
    for name in set(ctx.module.ui.show_if) | set(ctx.module.ui.required_if):
        f = ctx.module.field(name)
        if f is None or modes.get(name) == "hidden":
            continue
        now = f"{int(name not in ctx.result.hidden)},{int(name in ctx.result.required)}"
        if request.form.get(f"_state.{name}") != now:
            changed.append(field_view(session, ctx, f, modes[name], {}))
    for f, link, _table in row_fields(ctx.module):  # its record chosen anew: its rows offered
        shown = request.form.get(f"_rowof.{f.name}")
        if modes.get(f.name) == "write" and shown not in (None, str(ctx.data.get(link) or "")):
            changed.append(field_view(session, ctx, f, "write", {}))
    return changed
