"""Packs that extend modules of other packs: the merge, and where an extension may not go.

A pack's `extends` adds fields, list columns, roles' permissions and `migrate.drop` entries
to a module another pack owns (docs/pack-extensions.md). Nothing downstream knows about
extensions: every time installed packs are compiled, each owner's definition is merged with
the extensions the other packs make to its modules, so the owner's compiled module, its
table and its checks include them, and the owner's own upgrade keeps them. The extending
pack's stored definition, and the owner's, stay exactly as they were imported.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from engine.errors import Problem

Definitions = Mapping[str, Mapping[str, Any]]  # pack id -> raw definition
LIST_KEYS = ("columns", "filters", "search", "totals")


def module_owners(definitions: Definitions) -> dict[str, str]:
    """Module id -> the pack that defines it."""
    return {
        m["id"]: pack_id
        for pack_id, definition in definitions.items()
        for m in definition.get("modules") or ()
        if isinstance(m, Mapping) and isinstance(m.get("id"), str)
    }


def extensions_of(definition: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    extends = definition.get("extends")
    return extends if isinstance(extends, Mapping) else {}


def extenders(definitions: Definitions) -> dict[str, list[str]]:
    """Owner pack id -> the packs extending one of its modules, sorted."""
    owners = module_owners(definitions)
    found: dict[str, set[str]] = {}
    for pack_id, definition in definitions.items():
        for module_id in extensions_of(definition):
            owner = owners.get(module_id)
            if owner is not None and owner != pack_id:
                found.setdefault(owner, set()).add(pack_id)
    return {owner: sorted(packs) for owner, packs in found.items()}


def merge_extensions(definitions: Definitions) -> dict[str, dict[str, Any]]:
    """Every pack's definition with the other packs' extensions of its modules merged in.

    Packs are merged in id order; a field, role or column already there is kept as it is
    (the import checks refuse such a collision before it is ever installed).
    """
    merged: dict[str, dict[str, Any]] = {pid: dict(d) for pid, d in definitions.items()}
    owners = module_owners(definitions)
    copied: set[str] = set()
    for pack_id in sorted(definitions):
        for module_id, extension in extensions_of(definitions[pack_id]).items():
            owner = owners.get(module_id)
            if owner is None or owner == pack_id or not isinstance(extension, Mapping):
                continue
            if owner not in copied:
                merged[owner] = copy.deepcopy(dict(definitions[owner]))
                copied.add(owner)
            target = merged[owner]
            module = next(m for m in target["modules"] if m.get("id") == module_id)
            merge_module(module, extension, definitions[pack_id])
            _merge_roles(target, extension, definitions[pack_id])
    return merged


def merge_module(
    module: dict[str, Any], extension: Mapping[str, Any], extender: Mapping[str, Any]
) -> None:
    """Add one pack's extension (fields, list, permissions, drops) to a raw module, in place."""
    fields = extension.get("fields") or {}
    schema = module.setdefault("schema", {})
    properties = schema.setdefault("properties", {})
    for name, field_schema in fields.items():
        properties.setdefault(name, copy.deepcopy(field_schema))
    required = [n for n in extension.get("required") or () if n not in schema.get("required", ())]
    if required:
        schema["required"] = [*schema.get("required", ()), *required]
    ui = module.setdefault("ui", {})
    if fields and ui.get("layout"):
        section: dict[str, Any] = {"fields": list(fields)}
        if extender.get("title"):
            section["title"] = copy.deepcopy(extender["title"])
        ui["layout"] = [*ui["layout"], section]
    if extension.get("validations"):
        module["validations"] = [
            *module.get("validations", ()),
            *copy.deepcopy(list(extension["validations"])),
        ]
    listing = extension.get("list") or {}
    if listing:
        config = ui.setdefault("list", {})
        for key in LIST_KEYS:
            extra = [n for n in listing.get(key) or () if n not in config.get(key, ())]
            if extra:
                config[key] = [*config.get(key, ()), *extra]
    permissions = module.setdefault("permissions", {})
    for role, rule in (extension.get("permissions") or {}).items():
        if role not in permissions:
            permissions[role] = copy.deepcopy(rule)
        else:
            field_rules = permissions[role].setdefault("fields", {})
            for name, level in (rule.get("fields") or {}).items():
                field_rules.setdefault(name, level)
    drop = (extension.get("migrate") or {}).get("drop") or ()
    if drop:
        migrate = module.setdefault("migrate", {})
        migrate["drop"] = [
            *migrate.get("drop", ()),
            *(n for n in drop if n not in migrate.get("drop", ())),
        ]


def _merge_roles(
    target: dict[str, Any], extension: Mapping[str, Any], extender: Mapping[str, Any]
) -> None:
    """Roles the extension grants that the owner does not declare come with their titles."""
    declared = {r.get("id") for r in target.get("roles") or ()}
    theirs = {r.get("id"): r for r in extender.get("roles") or () if isinstance(r, Mapping)}
    for role in extension.get("permissions") or {}:
        if role not in declared and role in theirs:
            target["roles"] = [*target.get("roles", ()), copy.deepcopy(theirs[role])]
            declared.add(role)


def extension_problems(pack_id: str, raw: Mapping[str, Any], others: Definitions) -> list[Problem]:
    """Where `raw`'s extensions of other packs' modules cannot go.

    `others` are the other installed packs' definitions, merged with each other's extensions,
    so a field another extension already added counts as taken.
    """
    owners = module_owners(others)
    own = {m.get("id") for m in raw.get("modules") or () if isinstance(m, Mapping)}
    requires = raw.get("requires") or {}
    problems: list[Problem] = []
    for module_id, extension in extensions_of(raw).items():
        base = f"/extends/{module_id}"
        owner = owners.get(module_id)
        if module_id in own:
            problems.append(Problem(base, "extends_own_module", {"module": module_id}))
            continue
        if owner is None:
            problems.append(Problem(base, "extends_unknown_module", {"module": module_id}))
            continue
        if owner not in requires:
            params = {"module": module_id, "pack": owner}
            problems.append(Problem(base, "extends_not_required", params))
        module = next(m for m in others[owner]["modules"] if m.get("id") == module_id)
        holders = _field_holders(others, module_id, owner)
        problems += _collisions(base, module, extension, holders, owner)
    return problems


def _field_holders(others: Definitions, module_id: str, owner: str) -> dict[str, str]:
    """Field of module_id -> the pack that added it (the owner, or a pack extending it)."""
    holders: dict[str, str] = {}
    for pack_id in sorted(others):
        if pack_id == owner:
            continue
        extension = extensions_of(others[pack_id]).get(module_id) or {}
        for name in extension.get("fields") or {}:
            holders.setdefault(name, pack_id)
    return holders


def _collisions(
    base: str,
    module: Mapping[str, Any],
    extension: Mapping[str, Any],
    holders: Mapping[str, str],
    owner: str,
) -> Iterable[Problem]:
    owner_fields = module.get("schema", {}).get("properties", {})
    owner_roles = module.get("permissions") or {}
    for name in extension.get("fields") or {}:
        if name in owner_fields:
            params = {"field": name, "module": module["id"], "pack": holders.get(name, owner)}
            yield Problem(f"{base}/fields/{name}", "extension_field_taken", params)
    for role, rule in (extension.get("permissions") or {}).items():
        if (
            role in owner_roles
            and set(rule) - {"fields"}
            and rights(rule) != rights(owner_roles[role])
        ):
            params = {"role": role, "module": module["id"]}
            yield Problem(f"{base}/permissions/{role}", "extension_role_taken", params)


def rights(rule: Any) -> Any:
    """A role's rule without its field rules: two packs may both give a role the same rights
    on a module (both let the director read projects); each may add field rules."""
    return {k: v for k, v in rule.items() if k != "fields"} if isinstance(rule, Mapping) else rule


def located_in_extension(
    problem: Problem,
    module_index: int,
    module_id: str,
    extension: Mapping[str, Any],
    owner_module: Mapping[str, Any] | None = None,
) -> Problem | None:
    """An owner's problem caused by an extension, moved to the extension's place."""
    head = f"/modules/{module_index}"
    if problem.path != head and not problem.path.startswith(head + "/"):
        return None
    rest = problem.path[len(head) :]
    base = f"/extends/{module_id}"
    for name in extension.get("fields") or {}:
        prefix = f"/schema/properties/{name}"
        if rest == prefix or rest.startswith(prefix + "/"):
            return Problem(
                f"{base}/fields/{name}{rest[len(prefix) :]}", problem.code, problem.params
            )
    for role in extension.get("permissions") or {}:
        prefix = f"/permissions/{role}"
        if rest == prefix or rest.startswith(prefix + "/"):
            return Problem(f"{base}{rest}", problem.code, problem.params)
    moved = _at_extension_validation(rest, base, extension, owner_module)
    if moved is not None:
        return Problem(moved, problem.code, problem.params)
    if rest.startswith("/ui/list"):
        return Problem(f"{base}/list{rest[len('/ui/list') :]}", problem.code, problem.params)
    if rest.startswith("/schema/properties"):
        return Problem(
            f"{base}/fields{rest[len('/schema/properties') :]}", problem.code, problem.params
        )
    return Problem(f"{base}{rest}", problem.code, problem.params)


def _at_extension_validation(
    rest: str, base: str, extension: Mapping[str, Any], owner_module: Mapping[str, Any] | None
) -> str | None:
    """`/validations/K` of the merged module, when K is one the extension added, as its own
    `/extends/<module>/validations/J` (the added rules sit together after the owner's)."""
    added = list(extension.get("validations") or ())
    if not rest.startswith("/validations/") or not added or owner_module is None:
        return None
    index, _, tail = rest[len("/validations/") :].partition("/")
    merged = list(owner_module.get("validations") or ())
    starts = [i for i in range(len(merged)) if merged[i : i + len(added)] == added]
    if not index.isdigit() or not starts or not 0 <= int(index) - starts[0] < len(added):
        return None
    return f"{base}/validations/{int(index) - starts[0]}" + (f"/{tail}" if tail else "")


def with_own_extensions(
    pack: Mapping[str, Any], installed: Mapping[str, Mapping[str, Any]]
) -> dict[str, Mapping[str, Any]]:
    """The installed modules with `pack`'s own extensions merged in, so the pack's rollups,
    reports and seed may read a field it adds to another pack's module (a contract's `paid`
    sums the funds whose `contract` the pack adds to the funds ledger)."""
    found = dict(installed)
    for module_id, extension in extensions_of(pack).items():
        raw = found.get(module_id)
        if isinstance(raw, Mapping) and isinstance(extension, Mapping):
            merged = copy.deepcopy(dict(raw))
            merge_module(merged, extension, pack)
            found[module_id] = merged
    return found
