"""Check the pack's demo records (`seed`): real modules, known fields, valid values, links.

Seed records are `data` objects of the pack's own modules, created in the order written.
Because a new record's id is not known in advance, a seed record may carry `"$key"` (unique
across the whole seed) and a link is written `{"$seed": "<key>"}`, naming an earlier seed
record of the linked module; `"$state"` puts the record in a state of the workflow
(docs/pack-extensions.md). Every value must be one a user could have saved, so a demo never
shows data the forms would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.definitions.context import PackContext, Path, listing
from engine.definitions.model import Field
from engine.definitions.scope import ModuleInfo, suggest, unknown_field
from engine.definitions.values import value_problems

SEED_LINK = "$seed"


def check_seed(ctx: PackContext) -> None:
    """Check every seed record of the pack."""
    seed = ctx.pack.get("seed")
    if not isinstance(seed, Mapping):
        return
    own = {m.id: m for m in ctx.catalogue.values() if m.own}
    keys = _collect_keys(ctx, seed)
    for position, (module_id, records) in enumerate(seed.items()):
        module = own.get(module_id)
        if module is None:
            ctx.add(
                ("seed", module_id),
                f"seed names {module_id!r}, which is not a module of this pack"
                f"{suggest(module_id, own)}; modules: {listing(list(own))}",
            )
            continue
        for index, record in enumerate(records):
            if isinstance(record, Mapping):
                here = Place(("seed", module_id, index), (position, index))
                _check_record(ctx, module, here, record, keys)


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
                ctx.add(
                    ("seed", module_id, index, "$key"),
                    f"$key {key!r} is already used by a seed record of {keys[key].module}; "
                    "keys are unique across the whole seed",
                )
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
            ctx.add(
                (*path, "$state"), f"{module.id} has no workflow, so a seed record has no $state"
            )
        elif state not in module.states:
            ctx.add(
                (*path, "$state"),
                f"$state {state!r} is not a state of {module.id}{suggest(state, states)}; "
                f"states: {listing(states)}",
            )
    for name, value in record.items():
        if name.startswith("$"):
            continue
        info = module.fields.get(name)
        if info is None:
            ctx.add((*path, name), f"seed record: {unknown_field(module, name)}")
        elif info.computed:
            ctx.add((*path, name), f"{name!r} is computed; leave it out of seed records")
        else:
            written = _resolve_links(ctx, info, (*path, name), value, keys, place.order)
            for message in value_problems(info, written):
                ctx.add((*path, name), f"{value!r} is not a valid value of {name!r}: {message}")
    for info in module.fields.values():
        missing = info.name not in record and "default" not in info.schema
        if info.required and not info.computed and missing:
            ctx.add(path, f"seed record of {module.id} lacks the required field {info.name!r}")


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
    if not (isinstance(value, Mapping) and set(value) == {SEED_LINK}):
        ctx.add(
            path,
            f'a link in seed data is written {{"$seed": "<key>"}} naming a seed record of '
            f"{target}, not {value!r}",
        )
        return f"seed:{value!r}"
    key = value[SEED_LINK]
    found = keys.get(key)
    if found is None:
        known = sorted(k for k, v in keys.items() if v.module == target)
        ctx.add(
            (*path, SEED_LINK),
            f"no seed record of {target} has $key {key!r}{suggest(str(key), known)}; "
            f"keys: {listing(known)}",
        )
    elif found.module != target:
        ctx.add(
            (*path, SEED_LINK),
            f"$key {key!r} is a seed record of {found.module}, but {info.name!r} links to {target}",
        )
    elif found.order >= order:
        ctx.add(
            (*path, SEED_LINK),
            f"$key {key!r} is created after this record; seed records are created in the order "
            f"written, so put the {target} record first",
        )
    return f"seed:{key}"
