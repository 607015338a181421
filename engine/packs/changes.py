"""What an upgrade changes, read from the compiled packs (never from their JSON).

Each line names a role, module, field, state, transition, report or module part that is
added (+), removed (-) or changed (~). Two compiled objects are the same when every declared
attribute is; the raw JSON they came from and the version they carry do not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from engine.definitions.model import Module, Pack

IGNORED = frozenset({"raw", "version"})  # the version changes with every upgrade
MODULE_PARTS = ("ui", "permissions", "prints", "numbering", "title", "title_field")


def same(a: Any, b: Any) -> bool:
    """Structural equality of compiled objects (Field and Module compare by identity)."""
    if is_dataclass(a) and not isinstance(a, type):
        if type(a) is not type(b):
            return False
        names = [f.name for f in fields(a) if f.name not in IGNORED]
        return all(same(getattr(a, name), getattr(b, name)) for name in names)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _diff_names(
    kind: str, old: Mapping[str, Any], new: Mapping[str, Any], where: str = ""
) -> list[str]:
    prefix = f"{where} " if where else ""
    lines = [f"+ {prefix}{kind} {name}" for name in new if name not in old]
    lines += [f"- {prefix}{kind} {name}" for name in old if name not in new]
    lines += [
        f"~ {prefix}{kind} {name}" for name in new if name in old and not same(old[name], new[name])
    ]
    return lines


def _module_changes(before: Module, after: Module) -> list[str]:
    where = f"module {after.id}:"
    lines = _diff_names("field", before.field_map, after.field_map, where)
    old_wf, new_wf = before.workflow, after.workflow
    lines += _diff_names(
        "state", old_wf.states if old_wf else {}, new_wf.states if new_wf else {}, where
    )
    lines += _diff_names(
        "transition",
        {t.id: t for t in (old_wf.transitions if old_wf else ())},
        {t.id: t for t in (new_wf.transitions if new_wf else ())},
        where,
    )
    for part in MODULE_PARTS:
        if not same(getattr(before, part), getattr(after, part)):
            lines.append(f"~ {where} {part}")
    return lines


def describe_changes(old: Pack | None, new: Pack) -> list[str]:
    """Modules, fields, states, transitions, roles and reports added (+), removed (-), changed (~)."""
    old_modules = old.module_map if old else {}
    lines = _diff_names("role", old.roles if old else {}, new.roles)
    lines += _diff_names("module", old_modules, new.module_map)
    for module in new.modules:
        before = old_modules.get(module.id)
        if before is not None:
            lines += _module_changes(before, module)
    lines += _diff_names(
        "report",
        {r.id: r for r in (old.reports if old else ())},
        {r.id: r for r in new.reports},
    )
    return lines
