"""Check a rollup whose summed records are those matching the parent by fields (`match`).

`{"module": "labour_tally", "match": {"worker_ref": "worker"}, "value": "sum(amount)"}` sums
the tallies whose `worker_ref` equals the accrual's `worker` (engine/records/rollup_keys.py).
A rollup names exactly one of `link` and `match`. Each pair names a stored single value on
both sides — of the summed record, or for a rollup over child rows a column of the row (else
a field of the record owning it) — whose values can be compared: two links to the same
module, or two values of one type (text, number, date...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.context import PackContext, Path, listing
from engine.definitions.model import Field
from engine.definitions.scope import ModuleInfo, suggest

FAMILY = {"integer": "number"}  # an integer compares with a decimal


def check_link_or_match(ctx: PackContext, rollup: Mapping[str, Any], where: Path) -> bool:
    """Exactly one of `link` and `match`; False (and a problem) otherwise."""
    if ("link" in rollup) != ("match" in rollup):
        return True
    given = "both" if "link" in rollup else "neither"
    ctx.add_problem(where, "rollup_link_or_match", {"given": given})
    return False


def check_match(
    ctx: PackContext,
    module: ModuleInfo,
    rollup: Mapping[str, Any],
    origin: tuple[ModuleInfo, Field | None],
    where: Path,
) -> None:
    """Each `summed field: parent field` pair of `match`, at `x-rollup/match/<summed>`;
    `origin` is the summed module and the child table whose rows it sums, if any."""
    source, table = origin
    pairs = rollup.get("match")
    if not isinstance(pairs, Mapping):
        return  # the meta-schema says so
    summed = _summed_fields(source, table)
    parents = {n: f for n, f in module.fields.items() if _plain(f)}
    for name, parent_name in pairs.items():
        parent_name = str(parent_name)
        at = (*where, "match", name)
        mine, theirs = summed.get(name), parents.get(parent_name)
        if mine is None:
            params = {"module": _owner(source, table), "field": name, "hint": suggest(name, summed)}
            ctx.add_problem(at, "rollup_match_unknown", {**params, "fields": listing(summed)})
        if theirs is None:
            params = {"module": module.id, "field": parent_name}
            params |= {"hint": suggest(parent_name, parents), "fields": listing(parents)}
            ctx.add_problem(at, "rollup_match_unknown", params)
        if mine is None or theirs is None or _comparable(mine, theirs):
            continue
        params = {"field": name, "left": _type(mine), "target": parent_name}
        ctx.add_problem(at, "rollup_match_mismatch", {**params, "right": _type(theirs)})


def _summed_fields(source: ModuleInfo, table: Field | None) -> dict[str, Field]:
    """The summed side's comparable values: a row's columns first, then its record's."""
    found = {n: f for n, f in source.fields.items() if _plain(f)}
    if table is not None:
        found |= {n: c for n, c in table.columns.items() if _plain(c)}
    return found


def _plain(info: Field) -> bool:
    """A stored single value: not computed, not a child table or a list of choices."""
    return not info.computed and info.scalar and info.kind_type.stored


def _comparable(mine: Field, theirs: Field) -> bool:
    if mine.kind_type.links or theirs.kind_type.links:
        return mine.kind_type.links and theirs.kind_type.links and mine.ref == theirs.ref
    return _family(mine) == _family(theirs)


def _family(info: Field) -> str:
    return FAMILY.get(info.expression_type, info.expression_type)


def _type(info: Field) -> str:
    return f"a link to {info.ref}" if info.kind_type.links else info.kind_text


def _owner(source: ModuleInfo, table: Field | None) -> str:
    return f"{source.id}.{table.name}" if table is not None else source.id
