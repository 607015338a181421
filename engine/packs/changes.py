"""What an upgrade changes, as the command line's lines: read from the structured diff.

Each line names a role, module, field, state, transition, report or module part that is
added (+), removed (-) or changed (~), module by module: `+ module labour: field shift`,
`~ module labour: ui`. A child table's changed column is its table field changed; a new or
removed module is one line. `engine.packs.diff` holds the entries these lines come from.
"""

from __future__ import annotations

from engine.definitions.model import Pack
from engine.packs.diff import PackChange, pack_diff

SIGNS = {"added": "+", "removed": "-", "changed": "~"}
ITEMS = {"fields": "field", "states": "state", "transitions": "transition"}
# the module parts named as one line, whatever changed inside them
PARTS = {"list": "ui", "ui": "ui", "views": "ui", "permissions": "permissions", "prints": "prints"}
MODULE_ATTRIBUTES = ("numbering", "title", "title_field")
# a module's lines: its fields, states and transitions, then its parts, then its own attributes
ORDER = dict.fromkeys(("list", "ui", "views"), 3) | {
    "fields": 0,
    "states": 1,
    "transitions": 2,
    "permissions": 4,
    "prints": 5,
    "modules": 6,
}


def _module_lines(change: PackChange) -> list[str]:
    """The lines of one entry about a module present before and after."""
    module = change.module or change.key
    where = f"module {module}:"
    if change.section == "modules":
        return [f"~ {where} {name}" for name in MODULE_ATTRIBUTES if name in change.attributes]
    if change.section in PARTS:
        return [f"~ {where} {PARTS[change.section]}"]
    name = change.key.removeprefix(f"{module}.")
    if change.section == "fields" and "." in name:  # a column: its table field changed
        return [f"~ {where} field {name.partition('.')[0]}"]
    return [f"{SIGNS[change.change]} {where} {ITEMS[change.section]} {name}"]


def describe_changes(old: Pack | None, new: Pack) -> list[str]:
    """Modules, fields, states, transitions, roles and reports added (+), removed (-), changed (~)."""
    changes = pack_diff(old, new)
    kept = {m.id for m in new.modules} & {m.id for m in (old.modules if old else ())}
    by_module: dict[str, list[PackChange]] = {}
    for change in changes:
        if (
            change.section not in ("roles", "reports", "dashboards")
            and (change.module or change.key) in kept
        ):
            by_module.setdefault(change.module or change.key, []).append(change)
    lines = [f"{SIGNS[c.change]} role {c.key}" for c in changes if c.section == "roles"]
    lines += [
        f"{SIGNS[c.change]} module {c.key}"
        for c in changes
        if c.section == "modules" and c.change != "changed"
    ]
    lines += [f"~ module {m.id}" for m in new.modules if m.id in by_module]
    for module in new.modules:
        for change in sorted(by_module.get(module.id, ()), key=lambda c: ORDER[c.section]):
            lines += [line for line in _module_lines(change) if line not in lines]
    lines += [f"{SIGNS[c.change]} report {c.key}" for c in changes if c.section == "reports"]
    lines += [f"{SIGNS[c.change]} dashboard {c.key}" for c in changes if c.section == "dashboards"]
    return lines
