"""A structured diff of two compiled packs: what an import or a restore would change.

Read from the compiled packs (never from their JSON), so a reordered key or a reformatted
file is no change. Each entry names a section (modules, fields, states, transitions, roles,
permissions, reports, views, prints, list, ui), the item's key, whether it was added, changed
or removed, and the item before and after as plain JSON values (expressions as their text),
so a page can draw a table, the admin trail can keep it and two stored versions can be
compared. A changed entry's `attributes` say what changed: kind, required, scale, choices,
title...; the version a pack carries is no change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from engine.definitions.model import Field, Module, Pack
from engine.expressions import Expression

SECTIONS = (
    "roles",
    "modules",
    "fields",
    "states",
    "transitions",
    "permissions",
    "list",
    "ui",
    "views",
    "prints",
    "reports",
    "dashboards",
)
IGNORED = frozenset({"raw", "version", "pack_id", "record_schema", "migrate"})
# what a person calls a field's attributes, where the compiled name says it less plainly
FIELD_WORDS = {"title": "label", "enum": "choices", "enum_titles": "choice_labels"}
# a module's own attributes; its fields, workflow and parts are entries of their own
MODULE_ATTRIBUTES = ("title", "description", "numbering", "title_field")


@dataclass(frozen=True)
class PackChange:
    """One item added, changed or removed; `before`/`after` are None where it did not exist."""

    section: str
    key: str
    change: str  # added | changed | removed
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    module: str | None = None

    @property
    def attributes(self) -> tuple[str, ...]:
        """What differs in a changed item (empty for one added or removed)."""
        if self.before is None or self.after is None:
            return ()
        names = [*self.before, *(k for k in self.after if k not in self.before)]
        return tuple(n for n in names if self.before.get(n) != self.after.get(n))

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "key": self.key,
            "change": self.change,
            "module": self.module,
            "attributes": list(self.attributes),
            "before": self.before,
            "after": self.after,
        }


def plain(value: Any) -> Any:
    """A compiled value as JSON: dataclasses as objects, expressions as their source text."""
    if isinstance(value, Expression):
        return value.source
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name)) for f in fields(value) if f.name not in IGNORED
        }
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


def _compare(
    section: str,
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    module: str | None = None,
) -> Iterator[PackChange]:
    """Entries for items by key: added in `new` order, removed in `old` order, then changed."""
    for key, after in new.items():
        if key not in old:
            yield PackChange(section, key, "added", None, after, module)
    for key, before in old.items():
        if key not in new:
            yield PackChange(section, key, "removed", before, None, module)
    for key, after in new.items():
        if key in old and old[key] != after:
            yield PackChange(section, key, "changed", old[key], after, module)


def _field_item(field: Field) -> dict[str, Any]:
    """A field as the diff shows it: its attributes by their plain names, columns by name."""
    item = {FIELD_WORDS.get(k, k): v for k, v in plain(field).items() if k != "schema"}
    item["description"] = plain(field.schema.get("description"))
    item["children"] = [c.name for c in field.children]
    return item


def _fields(module: Module | None, prefix: str = "") -> dict[str, dict[str, Any]]:
    """Fields and child-table columns by key (`labour_tally.items.hours`)."""
    if module is None:
        return {}
    items: dict[str, dict[str, Any]] = {}

    def walk(fields_: tuple[Field, ...], base: str) -> None:
        for field in fields_:
            items[f"{base}.{field.name}"] = _field_item(field)
            walk(field.children, f"{base}.{field.name}")

    walk(module.fields, prefix or module.id)
    return items


def _keyed(module: Module | None, part: str) -> dict[str, dict[str, Any]]:
    """One module part as items keyed `module.id`: states, transitions, permissions, views..."""
    if module is None:
        return {}
    base, items = module.id, {}
    workflow = module.workflow
    if part == "states" and workflow:
        items = {state: plain(s) for state, s in workflow.states.items()}
    elif part == "transitions" and workflow:
        items = {t.id: plain(t) for t in workflow.transitions}
    elif part == "permissions":
        items = {role: plain(p) for role, p in module.permissions.items()}
    elif part == "views":
        seen: dict[str, int] = {}
        for view in module.ui.views:
            seen[view.type] = seen.get(view.type, 0) + 1
            name = view.type if seen[view.type] == 1 else f"{view.type}#{seen[view.type]}"
            items[name] = plain(view)
    elif part == "prints":
        items = {str(p.get("id", i)): plain(p) for i, p in enumerate(module.prints)}
    elif part == "list":
        items = {"list": plain(module.ui.list)}
    elif part == "ui":
        ui = plain(module.ui)
        items = {"ui": {k: v for k, v in ui.items() if k not in ("list", "views")}}
    return {f"{base}.{name}": item for name, item in items.items()}


def _module_item(module: Module) -> dict[str, Any]:
    item = {name: plain(getattr(module, name)) for name in MODULE_ATTRIBUTES}
    item["initial_state"] = module.initial_state
    return item  # its fields are entries of their own


def _module_changes(before: Module | None, after: Module | None) -> Iterator[PackChange]:
    """Every part of one module that differs; an added or removed module lists its parts too."""
    either = after if after is not None else before
    module_id = either.id if either is not None else None
    yield from _compare("fields", _fields(before), _fields(after), module_id)
    for part in ("states", "transitions", "permissions", "list", "ui", "views", "prints"):
        yield from _compare(part, _keyed(before, part), _keyed(after, part), module_id)


def pack_diff(old: Pack | None, new: Pack) -> list[PackChange]:
    """What installing `new` over `old` (None: nothing installed) changes, section by section."""
    old_modules = old.module_map if old else {}
    changes = list(
        _compare(
            "roles",
            {r: {"title": plain(t)} for r, t in (old.roles if old else {}).items()},
            {r: {"title": plain(t)} for r, t in new.roles.items()},
        )
    )
    changes += _compare(
        "modules",
        {m.id: _module_item(m) for m in old_modules.values()},
        {m.id: _module_item(m) for m in new.modules},
    )
    for module in new.modules:
        changes += _module_changes(old_modules.get(module.id), module)
    for module in old_modules.values():
        if module.id not in new.module_map:
            changes += _module_changes(module, None)
    changes += _compare(
        "reports",
        {r.id: plain(r) for r in (old.reports if old else ())},
        {r.id: plain(r) for r in new.reports},
    )
    changes += _compare(
        "dashboards",
        {d.id: plain(d.raw) for d in (old.dashboards if old else ())},
        {d.id: plain(d.raw) for d in new.dashboards},
    )
    order = {s: i for i, s in enumerate(SECTIONS)}
    return sorted(changes, key=lambda c: order[c.section])
