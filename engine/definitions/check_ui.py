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
    unknown_field,
)
from engine.kinds.base import FieldKind

DATED = attrgetter("dated")
NUMBER = attrgetter("summable")


def _field(ctx: PackContext, module: ModuleInfo, path: Path, name: str, what: str) -> Field | None:
    """The field `name`, or None after reporting that `what` names an unknown field."""
    info = module.fields.get(name)
    if info is None:
        ctx.add(path, f"{what}: {unknown_field(module, name)}")
    return info


def _field_or_system(
    ctx: PackContext, module: ModuleInfo, path: Path, name: str, what: str
) -> Field | str | None:
    """A field, a system value name (`$state`), or None after reporting the problem."""
    if name.startswith("$"):
        if name not in SYSTEM_TYPES:
            ctx.add(path, f"{what} names {name!r}; system values are {', '.join(SYSTEM_TYPES)}")
            return None
        if name == "$state" and module.states is None:
            ctx.add(path, f"{what} names $state, but {module.id} has no workflow")
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
            ctx.add(
                (*base, "title_field"),
                f"title_field {title_field!r} must be a single value, not {info.kind_text}",
            )
    ui = module.raw.get("ui")
    if not isinstance(ui, Mapping):
        return
    base = (*base, "ui")
    _check_layout(ctx, module, base, ui)
    for name, widget in (ui.get("widgets") or {}).items():
        info = _field(ctx, module, (*base, "widgets", name), name, "widgets")
        if info is not None and (message := widget_problem(info, widget)):
            ctx.add((*base, "widgets", name), message)
    scope = RecordScope(ctx.catalogue, module)
    for key in ("show_if", "required_if"):
        for name, text in (ui.get(key) or {}).items():
            info = _field(ctx, module, (*base, key, name), name, key)
            if info is not None and key == "required_if" and info.computed:
                ctx.add((*base, key, name), f"{name!r} is computed, so it cannot be required")
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
                ctx.add(path, f"{name!r} is already placed in layout section {placed[name]}")
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
            if not found.scalar:
                ctx.add(path, f"cannot sort by {found.name!r}, {found.kind_text}")
            _database_use(ctx, module, path, f"sort {key!r}", found)
    for index, name in enumerate(raw.get("filters") or ()):
        path = (*base, "filters", index)
        found = _field_or_system(ctx, module, path, name, "filters")
        if isinstance(found, Field):
            if found.kind_type.rows:
                ctx.add(path, f"cannot filter by {name!r}, a child table")
            _database_use(ctx, module, path, f"filter {name!r}", found)
    for index, name in enumerate(raw.get("search") or ()):
        path = (*base, "search", index)
        info = _field(ctx, module, path, name, "search")
        if info is not None and not info.searchable:
            ctx.add(path, f"search looks in text; {name!r} is {info.kind_text}")
    for index, name in enumerate(raw.get("totals") or ()):
        path = (*base, "totals", index)
        info = _field(ctx, module, path, name, "totals")
        if info is not None:
            if not info.numeric:
                ctx.add(path, f"totals add numbers; {name!r} is {info.kind_text}")
            _database_use(ctx, module, path, f"total {name!r}", info)


def _database_use(ctx: PackContext, module: ModuleInfo, path: Path, what: str, info: Field) -> None:
    node = (module.id, info.name)
    ctx.database_uses.append(DatabaseUse(path, what, module.id, frozenset({node}), False))


def _check_view(ctx: PackContext, module: ModuleInfo, base: Path, view: Mapping[str, Any]) -> None:
    kind = view.get("type")
    if kind == "kanban":
        found = _field_or_system(ctx, module, (*base, "by"), view["by"], "kanban by")
        if isinstance(found, str) and found != "$state":
            ctx.add((*base, "by"), f"a kanban groups by $state or a choice field, not {found}")
        if isinstance(found, Field) and not found.kind_type.one_of:
            ctx.add(
                (*base, "by"),
                f"a kanban groups by $state or a choice field; {found.name!r} is {found.kind_text}",
            )
        return
    wanted: dict[str, tuple[Callable[[FieldKind], bool] | None, str]] = {}
    if kind == "calendar":
        wanted = {"date": (DATED, "a date")}
    elif kind == "gantt":
        wanted = {
            "start": (DATED, "a date"),
            "end": (DATED, "a date"),
            "progress": (NUMBER, "a number"),
            "depends_on": (None, ""),
        }
    for key, (fits, wording) in wanted.items():
        name = view.get(key)
        if not isinstance(name, str):
            continue
        info = _field(ctx, module, (*base, key), name, f"{kind} {key}")
        if info is not None and fits is not None and not fits(info.kind_type):
            ctx.add(
                (*base, key),
                f"{kind} {key} must be {wording} field; {name!r} is {info.kind_text}",
            )
