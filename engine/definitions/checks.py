"""The semantic checks of a pack: everything the meta-schema cannot say.

A pack reaches `check_pack` after it has passed `schemas/pack.schema.json`, so every value
has the right shape; what is left is whether the names fit together. The work is split by
concept into sibling modules — fields and rollups (`check_fields`), formula cycles and clock
use (`check_formulas`), ui (`check_ui`), workflow (`check_workflow`), permissions
(`check_permissions`), reports (`check_reports`) and seed data (`check_seed`) — sharing one
`PackContext`. This file holds the pack-wide checks (duplicate ids, roles, prints) and runs
the rest in order. Every problem is returned at once, each with a JSON Pointer and a message
that names the bad value and what would be right; nothing is raised.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from engine.definitions.check_create_from import check_create_from
from engine.definitions.check_dashboards import check_dashboards
from engine.definitions.check_defaults import check_defaults
from engine.definitions.check_fields import check_fields, check_table_names
from engine.definitions.check_formulas import check_formulas
from engine.definitions.check_permissions import check_permissions
from engine.definitions.check_reports import check_reports
from engine.definitions.check_row_links import check_row_links
from engine.definitions.check_rules import check_rules
from engine.definitions.check_seed import check_seed
from engine.definitions.check_ui import check_ui
from engine.definitions.check_unique import check_unique
from engine.definitions.check_workflow import BUILT_IN_ROLES, check_migrate, check_workflow
from engine.definitions.context import PackContext, Path, pointer
from engine.definitions.extensions import with_own_extensions
from engine.definitions.scope import ModuleInfo
from engine.errors import Problem


def check_pack(
    pack: Mapping[str, Any], installed_modules: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Problem]:
    """Every semantic problem of `pack`, which has passed the meta-schema.

    `installed_modules` maps the module ids of other installed packs to their raw module
    dicts; links, rollups and reports of this pack may name them.
    """
    installed = with_own_extensions(pack, installed_modules or {})
    catalogue: dict[str, ModuleInfo] = {
        module_id: ModuleInfo.read(raw, None) for module_id, raw in installed.items()
    }
    own: list[ModuleInfo] = []
    for index, raw in enumerate(pack.get("modules") or ()):
        if isinstance(raw, Mapping):
            info = ModuleInfo.read(raw, index)
            own.append(info)
            if not (info.id in catalogue and catalogue[info.id].own):
                catalogue[info.id] = info
    roles = {r["id"] for r in pack.get("roles") or () if isinstance(r, Mapping)}
    ctx = PackContext(pack, catalogue, frozenset(roles | BUILT_IN_ROLES))
    _check_identifiers(ctx, own)
    _check_roles(ctx)
    _check_module_ids(ctx, own, installed)
    check_table_names(ctx, own)
    for module in own:
        check_fields(ctx, module)
        check_ui(ctx, module)
        check_workflow(ctx, module)
        check_rules(ctx, module)
        check_permissions(ctx, module)
        check_migrate(ctx, module)
        check_unique(ctx, module)
        check_row_links(ctx, module)
        check_defaults(ctx, module)
        check_create_from(ctx, module)
        _check_prints(ctx, module)
    check_reports(ctx)
    check_dashboards(ctx)
    check_seed(ctx)
    check_formulas(ctx)
    return list(dict.fromkeys(ctx.problems))


def _check_roles(ctx: PackContext) -> None:
    roles = [r for r in ctx.pack.get("roles") or () if isinstance(r, Mapping)]
    counts = Counter(r["id"] for r in roles)
    seen: set[str] = set()
    for index, role in enumerate(roles):
        rid = role["id"]
        if rid in BUILT_IN_ROLES:
            ctx.add_problem(("roles", index, "id"), "role_built_in", {"role": rid})
        elif counts[rid] > 1 and rid in seen:
            ctx.add_problem(("roles", index, "id"), "role_declared_twice", {"role": rid})
        seen.add(rid)


def _check_module_ids(
    ctx: PackContext, own: list[ModuleInfo], installed: Mapping[str, Mapping[str, Any]]
) -> None:
    first: dict[str, int] = {}
    for module in own:
        assert module.index is not None
        path = ("modules", module.index, "id")
        if module.id in first:
            where = pointer(("modules", first[module.id]))
            ctx.add_problem(path, "module_id_twice", {"module": module.id, "other": where})
        elif module.id in installed:
            ctx.add_problem(path, "module_id_installed", {"module": module.id})
        first.setdefault(module.id, module.index)


def _check_identifiers(ctx: PackContext, own: list[ModuleInfo]) -> None:
    """Ids that end in a line break: JSON Schema's `$` lets one through in Python's `re`."""
    places: list[tuple[Path, Any]] = [(("id",), ctx.pack.get("id"))]
    places += [(("roles", i, "id"), r.get("id")) for i, r in enumerate(ctx.pack.get("roles") or ())]
    places += [
        (("reports", i, "id"), r.get("id")) for i, r in enumerate(ctx.pack.get("reports") or ())
    ]
    for module in own:
        assert module.index is not None
        base: Path = ("modules", module.index)
        places.append(((*base, "id"), module.id))
        for info in module.fields.values():
            places.append(((*base, "schema", "properties", info.name), info.name))
            for column in info.columns.values():
                column_path = (*base, "schema", "properties", info.name, "items", "properties")
                places.append(((*column_path, column.name), column.name))
        for state in module.states or ():
            places.append(((*base, "workflow", "states", state), state))
        transitions = (module.raw.get("workflow") or {}).get("transitions") or ()
        for i, transition in enumerate(transitions):
            places.append(((*base, "workflow", "transitions", i, "id"), transition.get("id")))
    for path, value in places:
        if isinstance(value, str) and value != value.rstrip("\r\n"):
            ctx.add_problem(path, "id_line_break", {"value": value})


_TEMPLATES = SandboxedEnvironment(autoescape=True)


def _check_prints(ctx: PackContext, module: ModuleInfo) -> None:
    assert module.index is not None
    prints = [p for p in module.raw.get("prints") or () if isinstance(p, Mapping)]
    seen: set[str] = set()
    for index, template in enumerate(prints):
        path = ("modules", module.index, "prints", index)
        pid = template["id"]
        if pid in seen:
            params = {"print": pid, "module": module.id}
            ctx.add_problem((*path, "id"), "print_id_twice", params)
        seen.add(pid)
        try:
            _TEMPLATES.parse(template["template"])
        except TemplateSyntaxError as exc:
            params = {"line": exc.lineno, "detail": exc.message}
            ctx.add_problem((*path, "template"), "template_unreadable", params)
