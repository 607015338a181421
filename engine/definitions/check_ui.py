"""Check a module's ui: every field it names exists and suits what the ui does with it.

Layout, widgets, conditions, the list (columns, sort, filters, search, totals) and the views
(kanban, calendar, gantt) all name fields. A wrong name would show up as an empty column or a
broken page; here it is an import error with the place and the names that would be right.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any

from engine.definitions.check_expressions import check_expression
from engine.definitions.check_fields import widget_problem
from engine.definitions.context import DatabaseUse, PackContext, Path
from engine.definitions.model import Field
from engine.definitions.scope import (
    SYSTEM_TYPES,
    ModuleInfo,
    RecordScope,
    suggest,
)
from engine.kinds.base import FieldKind

DATED = attrgetter("dated")
NUMBER = attrgetter("summable")
ONE_OF = attrgetter("one_of")

# What each place of the list takes from a field; the builder offers the fields that fit.
LIST_FITS: Mapping[str, Callable[[Field], bool]] = {
    "columns": lambda info: True,
    "sort": lambda info: info.scalar,
    "filters": lambda info: not info.kind_type.rows,
    "search": lambda info: info.searchable,
    "totals": lambda info: info.numeric,
}
# The places of the list that also take the record's system values ($number, $state...).
SYSTEM_PLACES = frozenset({"columns", "sort", "filters"})
# The fields each view's keys take, by kind (None: any field), with the wording of messages.
VIEW_FIELDS: Mapping[str, Mapping[str, tuple[Callable[[FieldKind], bool] | None, str]]] = {
    "kanban": {"by": (ONE_OF, "choice")},
    "calendar": {"date": (DATED, "date"), "end": (DATED, "date")},
    "gantt": {
        "start": (DATED, "date"),
        "end": (DATED, "date"),
        "progress": (NUMBER, "number"),
        "depends_on": (None, ""),
    },
}
# The Gantt chart's further keys (docs/pack-extensions.md), which the builder does not edit:
# a dotted key is a field of a date span (`baseline`, `actual`).
GANTT_MORE: Mapping[str, tuple[Callable[[FieldKind], bool] | None, str]] = {
    "key": (attrgetter("scalar"), "single-value"),
    "group": (attrgetter("scalar"), "single-value"),
    "milestone": (attrgetter("flag"), "yes/no"),
    "baseline.start": (DATED, "date"),
    "baseline.end": (DATED, "date"),
    "actual.start": (DATED, "date"),
    "actual.end": (DATED, "date"),
}


def _field(ctx: PackContext, module: ModuleInfo, path: Path, name: str, what: str) -> Field | None:
    """The field `name`, or None after reporting that `what` names an unknown field."""
    info = module.fields.get(name)
    if info is None:
        params = {"what": what, "field": name, "module": module.id}
        params["hint"] = suggest(name, module.fields)
        ctx.add_problem(path, "ui_unknown_field", params)
    return info


def _field_or_system(
    ctx: PackContext, module: ModuleInfo, path: Path, name: str, what: str
) -> Field | str | None:
    """A field, a system value name (`$state`), or None after reporting the problem."""
    if name.startswith("$"):
        if name not in SYSTEM_TYPES:
            params = {"what": what, "value": name, "values": ", ".join(SYSTEM_TYPES)}
            ctx.add_problem(path, "unknown_system_value", params)
            return None
        if name == "$state" and module.states is None:
            params = {"what": what, "module": module.id}
            ctx.add_problem(path, "state_without_workflow", params)
            return None
        return name
    return _field(ctx, module, path, name, what)


def check_ui(ctx: PackContext, module: ModuleInfo) -> None:
    """Check title_field and the ui block of `module`."""
    assert module.index is not None
    base: Path = ("modules", module.index)
    title_field = module.raw.get("title_field")
    if isinstance(title_field, str):
        info = _field(ctx, module, (*base, "title_field"), title_field, "title_field")
        if info is not None and not info.scalar:
            title_params = {"field": title_field, "kind": info.kind_text}
            ctx.add_problem((*base, "title_field"), "title_not_single", title_params)
    ui = module.raw.get("ui")
    if not isinstance(ui, Mapping):
        return
    base = (*base, "ui")
    _check_layout(ctx, module, base, ui)
    for name, widget in (ui.get("widgets") or {}).items():
        info = _field(ctx, module, (*base, "widgets", name), name, "widgets")
        if info is not None and (params := widget_problem(info, widget)):
            ctx.add_problem((*base, "widgets", name), "widget_mismatch", params)
    scope = RecordScope(ctx.catalogue, module)
    for key in ("show_if", "required_if"):
        for name, text in (ui.get(key) or {}).items():
            info = _field(ctx, module, (*base, key, name), name, key)
            if info is not None and key == "required_if" and info.computed:
                ctx.add_problem((*base, key, name), "required_if_computed", {"field": name})
            check_expression(ctx, (*base, key, name), text, scope)
    if isinstance(ui.get("list"), Mapping):
        _check_list(ctx, module, (*base, "list"), ui["list"])
    for index, view in enumerate(ui.get("views") or ()):
        if isinstance(view, Mapping):
            _check_view(ctx, module, (*base, "views", index), view)


def _check_layout(ctx: PackContext, module: ModuleInfo, base: Path, ui: Mapping[str, Any]) -> None:
    placed: dict[str, int] = {}
    for s_index, section in enumerate(ui.get("layout") or ()):
        for f_index, name in enumerate(section.get("fields") or ()):
            path = (*base, "layout", s_index, "fields", f_index)
            if _field(ctx, module, path, name, "layout") is None:
                continue
            if name in placed and placed[name] != s_index:
                params = {"field": name, "section": placed[name]}
                ctx.add_problem(path, "placed_twice", params)
            placed.setdefault(name, s_index)


def _check_list(ctx: PackContext, module: ModuleInfo, base: Path, raw: Mapping[str, Any]) -> None:
    for index, name in enumerate(raw.get("columns") or ()):
        _field_or_system(ctx, module, (*base, "columns", index), name, "list columns")
    sort = raw.get("sort")
    keys = [sort] if isinstance(sort, str) else list(sort or ())
    for index, key in enumerate(keys):
        path = (*base, "sort") if isinstance(sort, str) else (*base, "sort", index)
        found = _field_or_system(ctx, module, path, key.lstrip("-"), "sort")
        if isinstance(found, Field):
            if not LIST_FITS["sort"](found):
                params = {"field": found.name, "kind": found.kind_text}
                ctx.add_problem(path, "sort_not_single", params)
            _database_use(ctx, module, path, f"sort {key!r}", found)
    for index, name in enumerate(raw.get("filters") or ()):
        path = (*base, "filters", index)
        found = _field_or_system(ctx, module, path, name, "filters")
        if isinstance(found, Field):
            if not LIST_FITS["filters"](found):
                ctx.add_problem(path, "filter_child_table", {"field": name})
            _database_use(ctx, module, path, f"filter {name!r}", found)
    for index, name in enumerate(raw.get("search") or ()):
        path = (*base, "search", index)
        info = _field(ctx, module, path, name, "search")
        if info is not None and not LIST_FITS["search"](info):
            params = {"field": name, "kind": info.kind_text}
            ctx.add_problem(path, "search_not_text", params)
    for index, name in enumerate(raw.get("totals") or ()):
        path = (*base, "totals", index)
        info = _field(ctx, module, path, name, "totals")
        if info is not None:
            if not LIST_FITS["totals"](info):
                params = {"field": name, "kind": info.kind_text}
                ctx.add_problem(path, "totals_not_a_number", params)
            _database_use(ctx, module, path, f"total {name!r}", info)


def _database_use(ctx: PackContext, module: ModuleInfo, path: Path, what: str, info: Field) -> None:
    node = (module.id, info.name)
    ctx.database_uses.append(DatabaseUse(path, what, module.id, frozenset({node}), False))


def _check_view(ctx: PackContext, module: ModuleInfo, base: Path, view: Mapping[str, Any]) -> None:
    kind = view.get("type")
    if kind == "kanban":
        found = _field_or_system(ctx, module, (*base, "by"), view["by"], "kanban by")
        if isinstance(found, str) and found != "$state":
            ctx.add_problem((*base, "by"), "kanban_by_system_value", {"value": found})
        if isinstance(found, Field) and not ONE_OF(found.kind_type):
            params = {"field": found.name, "kind": found.kind_text}
            ctx.add_problem((*base, "by"), "kanban_not_a_choice", params)
        return
    more = GANTT_MORE if kind == "gantt" else {}
    for key, (fits, wording) in {**VIEW_FIELDS.get(str(kind), {}), **more}.items():
        outer, _, inner = key.partition(".")  # "baseline.start": the start of a date span
        name = view.get(outer)
        path = (*base, outer)
        if inner and isinstance(name, Mapping):
            name, path = name.get(inner), (*path, inner)
        if not isinstance(name, str):
            continue
        info = _field(ctx, module, path, name, f"{kind} {key}")
        if info is not None and fits is not None and not fits(info.kind_type):
            params = {"view": str(kind), "key": key, "wanted": wording, "field": name}
            params["kind"] = info.kind_text
            ctx.add_problem(path, "view_field_kind", params)
