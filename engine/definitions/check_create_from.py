"""Check a module's `create_from`: every name it maps exists, fits and can be filled.

A mistake here would only show when someone presses the button — a field silently left
empty, a line's quantity copied into a text. So each is a located problem at import: a
source module that is not there, a target or source field (or child column) that is not
there, a target that is computed, kinds that differ (a link must point at the same module),
a child copy between things that are not both child tables, a `link` back that is not a link
to the source, and a `when` that does not read in the source's scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.check_expressions import check_expression
from engine.definitions.context import PackContext, Path
from engine.definitions.model import Field
from engine.definitions.scope import ModuleInfo, RecordScope, suggest, unknown_field
from engine.kinds.standard import DECIMAL, INTEGER, LINK, TABLE


def check_create_from(ctx: PackContext, module: ModuleInfo) -> None:
    """Check each entry of the module's `create_from`."""
    if module.index is None:
        return
    for index, entry in enumerate(module.raw.get("create_from") or ()):
        if isinstance(entry, Mapping):
            _check_entry(ctx, module, ("modules", module.index, "create_from", index), entry)


def _check_entry(
    ctx: PackContext, target: ModuleInfo, path: Path, entry: Mapping[str, Any]
) -> None:
    source = ctx.catalogue.get(str(entry.get("module")))
    if source is None:
        params = {"module": entry.get("module")}
        ctx.add_problem((*path, "module"), "create_from_unknown_module", params)
        return
    if isinstance(entry.get("when"), str):
        scope = RecordScope(ctx.catalogue, source)
        check_expression(ctx, (*path, "when"), entry["when"], scope, aggregation="forbidden")
    _check_map(
        ctx,
        (*path, "map"),
        source.id,
        target.fields,
        source.fields,
        entry.get("map"),
        target.id,
        source.id,
    )
    for table, copy in (entry.get("children") or {}).items():
        where = (*path, "children", table)
        into, out_of = target.fields.get(table), source.fields.get(copy.get("from"))
        if into is None:
            params = {"source": source.id, "field": table, "detail": unknown_field(target, table)}
            ctx.add_problem(where, "create_from_unknown_field", params)
        elif out_of is None:
            name = str(copy.get("from"))
            params = {"source": source.id, "field": name, "detail": unknown_field(source, name)}
            ctx.add_problem((*where, "from"), "create_from_unknown_source", params)
        elif into.kind_type is not TABLE or out_of.kind_type is not TABLE:
            params = {"source": source.id, "field": table, "source_field": out_of.name}
            ctx.add_problem(where, "create_from_not_a_table", params)
        else:
            _check_map(
                ctx, (*where, "map"), source.id, into.columns, out_of.columns,
                copy.get("map"), f"{target.id}.{table}", f"{source.id}.{out_of.name}",
            )  # fmt: skip
    link = entry.get("link")
    if isinstance(link, str):
        field = target.fields.get(link)
        if field is None or field.kind_type is not LINK or field.ref != source.id:
            params = {"source": source.id, "field": link}
            ctx.add_problem((*path, "link"), "create_from_bad_link", params)


def _check_map(
    ctx: PackContext,
    path: Path,
    source_id: str,
    targets: Mapping[str, Field],
    sources: Mapping[str, Field],
    mapping: Any,
    target_name: str,
    source_name: str,
) -> None:
    """Each `target: source` pair of a field (or column) map."""
    for name, source_name_of in (mapping or {}).items():
        where = (*path, name)
        into, out_of = targets.get(name), sources.get(source_name_of)
        if into is None:
            detail = _missing(name, target_name, targets)
            params = {"source": source_id, "field": name, "detail": detail}
            ctx.add_problem(where, "create_from_unknown_field", params)
        elif out_of is None:
            detail = _missing(source_name_of, source_name, sources)
            params = {"source": source_id, "field": source_name_of, "detail": detail}
            ctx.add_problem(where, "create_from_unknown_source", params)
        elif into.computed or not into.kind_type.stored or into.kind_type is TABLE:
            ctx.add_problem(where, "create_from_not_fillable", {"source": source_id, "field": name})
        elif not _fits(into, out_of):
            params = {
                "source": source_id,
                "field": name,
                "expected": into.kind_text,
                "source_field": out_of.name,
                "actual": out_of.kind_text,
            }
            ctx.add_problem(where, "create_from_type_clash", params)


def _missing(name: str, owner: str, fields: Mapping[str, Field]) -> str:
    return f"{name!r} is not a field of {owner}{suggest(name, fields)}"


def _fits(into: Field, out_of: Field) -> bool:
    """Whether a source value can fill the target field as it is."""
    if into.kind_type is LINK or out_of.kind_type is LINK:
        return into.kind_type is out_of.kind_type and into.ref == out_of.ref
    if into.kind_type is not out_of.kind_type:
        return into.kind_type is DECIMAL and out_of.kind_type is INTEGER  # no fraction lost
    if into.enum is not None and out_of.enum is not None:
        return set(out_of.enum) <= set(into.enum)
    return True
