"""Check the pack's demo records (`seed`): real modules, known fields, valid values, links.

Seed records are `data` objects of the pack's own modules, created in the order written.
Because a new record's id is not known in advance, a seed record may carry `"$key"` (unique
across the whole seed) and a link is written `{"$seed": "<key>"}`, naming an earlier seed
record of the linked module, or `{"$match": {"<field>": value}}`, naming the one record of
the linked module with those values (a record of a required pack, found at install);
`"$state"` puts the record in a state of the workflow (docs/pack-extensions.md). A pack
seeds its own modules and the modules it `extends`. Every value must be one a user could have saved, so a demo never
shows data the forms would refuse.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.definitions.context import PackContext, Path, listing
from engine.definitions.extensions import extensions_of, merge_module
from engine.definitions.model import Field
from engine.definitions.scope import ModuleInfo, suggest, unknown_field
from engine.definitions.values import value_problems

SEED_LINK = "$seed"
MATCH = "$match"


def check_seed(ctx: PackContext) -> None:
    """Check every seed record of the pack."""
    seed = ctx.pack.get("seed")
    if not isinstance(seed, Mapping):
        return
    own = {m.id: m for m in ctx.catalogue.values() if m.own}
    own.update(_extended_modules(ctx))
    keys = _collect_keys(ctx, seed)
    for position, (module_id, records) in enumerate(seed.items()):
        module = own.get(module_id)
        if module is None:
            params = {
                "module": module_id,
                "hint": suggest(module_id, own),
                "modules": listing(list(own)),
            }
            ctx.add_problem(("seed", module_id), "seed_unknown_module", params)
            continue
        for index, record in enumerate(records):
            if isinstance(record, Mapping):
                here = Place(("seed", module_id, index), (position, index))
                check = _check_fill if MATCH in record else _check_record
                check(ctx, module, here, record, keys)


def _extended_modules(ctx: PackContext) -> dict[str, ModuleInfo]:
    """Other packs' modules this pack extends, with the fields it adds to them."""
    found: dict[str, ModuleInfo] = {}
    for module_id, extension in extensions_of(ctx.pack).items():
        module = ctx.catalogue.get(module_id)
        if module is None or module.own or not isinstance(extension, Mapping):
            continue
        raw = copy.deepcopy(dict(module.raw))
        merge_module(raw, extension, ctx.pack)
        found[module_id] = ModuleInfo.read(raw, None)
    return found


@dataclass(frozen=True)
class SeedKey:
    """Where a `$key` is defined: its module and its place in the order of creation."""

    module: str
    order: tuple[int, int]


def _collect_keys(ctx: PackContext, seed: Mapping[str, Any]) -> dict[str, SeedKey]:
    keys: dict[str, SeedKey] = {}
    for position, (module_id, records) in enumerate(seed.items()):
        for index, record in enumerate(records):
            key = record.get("$key") if isinstance(record, Mapping) else None
            if key is None:
                continue
            if key in keys:
                params = {"key": key, "module": keys[key].module}
                ctx.add_problem(("seed", module_id, index, "$key"), "seed_key_twice", params)
                continue
            keys[key] = SeedKey(module_id, (position, index))
    return keys


@dataclass(frozen=True)
class Place:
    """A seed record's JSON Pointer path and its place in the order of creation."""

    path: Path
    order: tuple[int, int]


def _check_record(
    ctx: PackContext,
    module: ModuleInfo,
    place: Place,
    record: Mapping[str, Any],
    keys: Mapping[str, SeedKey],
) -> None:
    path = place.path
    state = record.get("$state")
    if state is not None:
        states = sorted(module.states or ())
        if module.states is None:
            params = {"module": module.id}
            ctx.add_problem((*path, "$state"), "seed_state_without_workflow", params)
        elif state not in module.states:
            params = {
                "state": state,
                "module": module.id,
                "hint": suggest(state, states),
                "states": listing(states),
            }
            ctx.add_problem((*path, "$state"), "seed_unknown_state", params)
    for name, value in record.items():
        if name.startswith("$"):
            continue
        info = module.fields.get(name)
        if info is None:
            params = {"field": name, "detail": unknown_field(module, name)}
            ctx.add_problem((*path, name), "seed_unknown_field", params)
        elif info.computed:
            ctx.add_problem((*path, name), "seed_computed_field", {"field": name})
        else:
            written = _resolve_links(ctx, info, (*path, name), value, keys, place.order)
            for message in value_problems(info, written):
                params = {"value": repr(value), "field": name, "detail": message}
                ctx.add_problem((*path, name), "seed_value_invalid", params)
    for info in module.fields.values():
        missing = info.name not in record and "default" not in info.schema
        if info.required and not info.computed and missing:
            params = {"module": module.id, "field": info.name}
            ctx.add_problem(path, "seed_required_missing", params)


def _resolve_links(
    ctx: PackContext,
    info: Field,
    path: Path,
    value: Any,
    keys: Mapping[str, SeedKey],
    order: tuple[int, int],
) -> Any:
    """`value` with each `{"$seed": key}` checked and replaced by a stand-in record id."""
    if info.kind_type.links:
        return _seed_link(ctx, info, path, value, keys, order)
    if info.kind_type.rows and isinstance(value, list):
        rows = []
        for index, row in enumerate(value):
            if not isinstance(row, Mapping):
                rows.append(row)
                continue
            rows.append(
                {
                    name: _resolve_links(
                        ctx, info.columns[name], (*path, index, name), cell, keys, order
                    )
                    if name in info.columns
                    else cell
                    for name, cell in row.items()
                }
            )
        return rows
    return value


def _seed_link(
    ctx: PackContext,
    info: Field,
    path: Path,
    value: Any,
    keys: Mapping[str, SeedKey],
    order: tuple[int, int],
) -> Any:
    target = info.ref or ""
    if value is None:
        return None
    if isinstance(value, Mapping) and set(value) == {MATCH}:
        _check_match(ctx, target, (*path, MATCH), value[MATCH])
        return f"seed:{value!r}"
    if not (isinstance(value, Mapping) and set(value) == {SEED_LINK}):
        params = {"module": target, "value": repr(value)}
        ctx.add_problem(path, "seed_link_shape", params)
        return f"seed:{value!r}"
    key = value[SEED_LINK]
    found = keys.get(key)
    if found is None:
        known = sorted(k for k, v in keys.items() if v.module == target)
        params = {
            "module": target,
            "key": key,
            "hint": suggest(str(key), known),
            "keys": listing(known),
        }
        ctx.add_problem((*path, SEED_LINK), "seed_link_unknown_key", params)
    elif found.module != target:
        params = {"key": key, "other": found.module, "field": info.name, "module": target}
        ctx.add_problem((*path, SEED_LINK), "seed_link_wrong_module", params)
    elif found.order >= order:
        params = {"key": key, "module": target}
        ctx.add_problem((*path, SEED_LINK), "seed_link_later", params)
    return f"seed:{key}"


def _check_match(ctx: PackContext, target: str, path: Path, match: Any) -> None:
    """`{"$match": {field: value}}`: stored fields of the linked module and values they take."""
    module = ctx.catalogue.get(target)
    if not isinstance(match, Mapping) or not match or module is None:
        ctx.add_problem(path, "seed_match_shape", {"module": target, "value": repr(match)})
        return
    for name, value in match.items():
        info = module.fields.get(name)
        if info is None or info.computed or info.kind_type.rows:
            params = {"field": name, "module": target, "hint": suggest(name, module.fields)}
            ctx.add_problem((*path, name), "seed_match_unknown_field", params)
        elif isinstance(value, (Mapping, list)) or value is None:
            ctx.add_problem(path, "seed_match_shape", {"module": target, "value": repr(match)})
        else:
            for message in value_problems(info, value):
                params = {"value": repr(value), "field": name, "detail": message}
                ctx.add_problem((*path, name), "seed_value_invalid", params)


def _check_fill(
    ctx: PackContext,
    module: ModuleInfo,
    place: Place,
    record: Mapping[str, Any],
    keys: Mapping[str, SeedKey],
) -> None:
    """`{"$match": {...}, field: value}`: the fields this pack adds to the matched records of
    a module it extends (its demo links the required pack's demo records to its own)."""
    path = place.path
    extension = extensions_of(ctx.pack).get(module.id)
    if module.own or not isinstance(extension, Mapping):
        ctx.add_problem((*path, MATCH), "seed_fill_own_module", {"module": module.id})
        return
    _check_match(ctx, module.id, (*path, MATCH), record[MATCH])
    added = extension.get("fields")
    added = sorted(added) if isinstance(added, Mapping) else []
    for name, value in record.items():
        info = module.fields.get(name)
        if name in ("$key", "$state"):
            ctx.add_problem((*path, name), "seed_fill_shape", {"module": module.id, "key": name})
        elif name == MATCH:
            continue
        elif info is None or name not in added or info.computed or info.kind_type.rows:
            params = {"field": name, "module": module.id, "fields": listing(added)}
            ctx.add_problem((*path, name), "seed_fill_not_added", params)
        else:
            written = _resolve_links(ctx, info, (*path, name), value, keys, place.order)
            for message in value_problems(info, written):
                params = {"value": repr(value), "field": name, "detail": message}
                ctx.add_problem((*path, name), "seed_value_invalid", params)
