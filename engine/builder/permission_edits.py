"""The builder's permission edits: one role's row of a module's permission table.

A module's `permissions` maps a role to what it may do (PACK_FORMAT: create, read own/all,
update own/all, delete own/all, export, import), the field rules `hidden` / `read` that
narrow what it sees, and the link fields whose grants scope its rows. The edit writes the
row exactly as an imported pack would carry it, so publishing takes it through the same
checks; a role the pack does not declare, a level the format lacks, a rule on an unknown
field or a scope over a field that is not a link is refused here, before it is saved.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from engine.builder.edits import MODULE_ID, Pack, holder, module_of, refuse, suggest_id, titles
from engine.errors import Problem, ValidationFailed
from engine.kinds import detect

LEVELS = ("none", "own", "all")
LEVELLED = ("read", "update", "delete")  # none / own / all
FLAGS = ("create", "export", "import")  # yes / no
RULES = ("hidden", "read")


def declared_roles(pack: Mapping[str, Any]) -> list[str]:
    """The roles the pack declares: the only ones its permission table may name."""
    return [str(r.get("id")) for r in pack.get("roles", ()) if isinstance(r, Mapping)]


def link_fields(pack: Pack, module_id: str) -> list[str]:
    """The module's fields a row scope may use: links to another module's records."""
    props = holder(module_of(copy.deepcopy(dict(pack)), module_id))["properties"]
    return [name for name, schema in props.items() if detect(schema).links]


def taken_roles(pack: Mapping[str, Any]) -> list[str]:
    """Ids a new role cannot have: the declared roles and the built-in administrator."""
    return [*declared_roles(pack), "admin"]


def suggest_role_id(pack: Mapping[str, Any], title_en: str) -> str:
    """The id a new role would get from its English title (`Site manager` → `site_manager`)."""
    return suggest_id(title_en, taken_roles(pack), "role")


def role_id_problem(pack: Mapping[str, Any], role_id: str) -> Problem | None:
    """Why `role_id` cannot be a new role's id (invalid or taken), or None."""
    if not MODULE_ID.match(role_id):
        return Problem("/roles", "builder_id_invalid", {"value": role_id, "limit": 63})
    if role_id in taken_roles(pack):
        return Problem("/roles", "builder_role_taken", {"value": role_id})
    return None


def add_role(pack: Mapping[str, Any], role_id: str, title_en: str, title_zh: str) -> Pack:
    """The pack with one more declared role (no rights yet); an empty id is made from the
    English title. Titles are kept as text: markup in them is shown, never run."""
    title = titles(title_en, title_zh, "/roles")
    role_id = role_id.strip() or suggest_role_id(pack, title_en)
    problem = role_id_problem(pack, role_id)
    if problem is not None:
        raise ValidationFailed([problem])
    result = copy.deepcopy(dict(pack))
    result.setdefault("roles", []).append({"id": role_id, "title": title})
    return result


def _level(action: str, value: str) -> str | bool:
    value = value.strip() or "none"
    if value not in LEVELS:
        raise refuse(f"/{action}", "builder_permission_level", action=action, value=value)
    return False if value == "none" else value


def _rules(names: Iterable[str], rules: Mapping[str, str]) -> dict[str, str]:
    known, kept = set(names), {}
    for name, rule in rules.items():
        if not rule:
            continue
        if name not in known:
            raise refuse(f"/fields/{name}", "builder_unknown_field", value=name)
        if rule not in RULES:
            raise refuse(f"/fields/{name}", "builder_field_rule", value=rule)
        kept[name] = rule
    return kept


def set_permissions(
    pack: Mapping[str, Any],
    module_id: str,
    role: str,
    levels: Mapping[str, str],
    flags: Iterable[str] = (),
    rules: Mapping[str, str] | None = None,
    scope: Iterable[str] = (),
) -> Pack:
    """The pack with `role`'s row of the module's permission table replaced.

    `levels` gives read / update / delete as none, own or all; `flags` the yes/no actions
    allowed; `rules` a field's `hidden` or `read` (empty: no rule); `scope` link fields.
    A row that allows nothing and narrows nothing is removed rather than kept empty.
    """
    if role not in declared_roles(pack):
        raise refuse("/role", "builder_unknown_role", value=role)
    result = copy.deepcopy(dict(pack))
    module = module_of(result, module_id)
    row: dict[str, Any] = {}
    allowed = set(flags)
    for action in FLAGS:
        if action in allowed:
            row[action] = True
    for action in LEVELLED:
        level = _level(action, levels.get(action, ""))
        if level:
            row[action] = level
    kept = _rules(holder(module)["properties"], rules or {})
    if kept:
        row["fields"] = kept
    links, chosen = link_fields(result, module_id), list(dict.fromkeys(scope))
    for name in chosen:
        if name not in links:
            raise refuse("/scope", "builder_scope_not_link", value=name)
    if chosen:
        row["scope"] = chosen
    table = module.setdefault("permissions", {})
    if row:
        table[role] = row
    else:
        table.pop(role, None)
    if not table:
        module.pop("permissions")
    return result
