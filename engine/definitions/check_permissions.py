"""Check a module's permission table: declared roles, known fields, scopes over links.

Permissions are enforced in SQL, so a rule naming a field that does not exist would silently
protect nothing; a row scope over a field that is not a link cannot be granted at all.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.definitions.check_workflow import check_role
from engine.definitions.context import PackContext, Path, listing
from engine.definitions.scope import ModuleInfo, unknown_field


def check_permissions(ctx: PackContext, module: ModuleInfo) -> None:
    """Check the permission table of `module`: roles, field rules and row scopes."""
    permissions = module.raw.get("permissions")
    if not isinstance(permissions, Mapping) or module.index is None:
        return
    base: Path = ("modules", module.index, "permissions")
    for role, rules in permissions.items():
        check_role(ctx, (*base, role), role, "permissions")
        for name in rules.get("fields") or {}:
            if name not in module.fields:
                params = {"field": name, "detail": unknown_field(module, name)}
                ctx.add_problem((*base, role, "fields", name), "permission_unknown_field", params)
        links = [f.name for f in module.fields.values() if f.kind_type.links]
        for position, name in enumerate(rules.get("scope") or ()):
            info = module.fields.get(name)
            where = (*base, role, "scope", position)
            if info is None:
                params = {"field": name, "detail": unknown_field(module, name)}
                ctx.add_problem(where, "scope_unknown_field", params)
            elif not info.kind_type.links:
                params = {
                    "field": name,
                    "kind": info.kind_text,
                    "module": module.id,
                    "fields": listing(links),
                }
                ctx.add_problem(where, "scope_not_a_link", params)
