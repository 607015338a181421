"""Check a report over several sources (`"sources"`, engine/report_sources.py).

Each source must name a known module (and child table, when it has `rows`), give every
shared name the first source gives and no other, each value computable per row (no
aggregate) from what the source can read, with the same type as the first source's value —
a ledger's `qty` cannot be a number in receipts and a text in issues. The report's `where`,
groups and measures then read the shared names (`UnionScope`). A running total runs along the
first group as elsewhere; a previous-period comparison is refused rather than ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.definitions.check_expressions import check_expression
from engine.definitions.check_row_rollups import RowsScope
from engine.definitions.context import DatabaseUse, PackContext, Path, listing
from engine.definitions.scope import (
    ModuleInfo,
    RecordScope,
    Resolution,
    Scope,
    resolve_field,
    suggest,
)
from engine.expressions import infer_type

SAME = {"integer": "number"}  # an integer value unions with a decimal one


@dataclass(frozen=True)
class UnionScope:
    """The names every source gives, and their types."""

    types: Mapping[str, str | None]

    def resolve(self, path: tuple[str, ...]) -> Resolution:
        if len(path) == 1 and path[0] in self.types:
            return Resolution(self.types[path[0]] or "any")
        name = ".".join(path)
        return Resolution(
            error=f"{name!r} is not a name the report's sources give{suggest(name, self.types)}; "
            f"they give {listing(list(self.types))}"
        )


@dataclass(frozen=True)
class SourceRowsScope:
    """A source over child rows: RowsScope's names, a row's link column read through
    (`card.material`) and the owning record's links (`project.code`)."""

    rows: RowsScope

    def resolve(self, path: tuple[str, ...]) -> Resolution:
        if len(path) != 2:
            return self.rows.resolve(path)
        column = self.rows.table.columns.get(path[0])
        if column is None:
            return RecordScope(self.rows.catalogue, self.rows.source).resolve(path)
        target = self.rows.catalogue.get(column.ref or "") if column.kind_type.links else None
        if target is None:
            return self.rows.resolve(path)
        inner = resolve_field(self.rows.catalogue, target, path[1:])
        if inner.error:
            return Resolution(error=f"in {'.'.join(path)!r}: {inner.error}")
        node = (self.rows.source.id, self.rows.table.name, column.name)
        return Resolution(inner.type, None, inner.depends | {node})


def _source_scope(
    ctx: PackContext, path: Path, module: ModuleInfo, source: Mapping[str, Any]
) -> Scope | None:
    if "rows" not in source:
        return RecordScope(ctx.catalogue, module)
    table = module.fields.get(str(source["rows"]))
    if table is not None and table.kind_type.rows:
        return SourceRowsScope(RowsScope(ctx.catalogue, module, table, None))
    tables = [f.name for f in module.fields.values() if f.kind_type.rows]
    params = {"module": module.id, "table": str(source["rows"])}
    params |= {"hint": suggest(str(source["rows"]), tables), "tables": listing(tables)}
    ctx.add_problem((*path, "rows"), "report_rows_unknown", params)
    return None


def _check_source(
    ctx: PackContext, path: Path, report: Mapping[str, Any], source: Mapping[str, Any]
) -> dict[str, str | None] | None:
    """The types of the values one source gives, or None when it cannot be read."""
    module_id = source.get("module", report["module"])
    module: ModuleInfo | None = ctx.catalogue.get(module_id)
    if module is None:
        params = {
            "report": report["id"],
            "module": module_id,
            "hint": suggest(module_id, ctx.catalogue),
        }
        ctx.add_problem((*path, "module"), "report_unknown_module", params)
        return None
    scope = _source_scope(ctx, path, module, source)
    if scope is None:
        return None
    if isinstance(source.get("where"), str):
        check_expression(ctx, (*path, "where"), source["where"], scope, aggregation="forbidden")
    types: dict[str, str | None] = {}
    for name, text in (source.get("values") or {}).items():
        where = (*path, "values", name)
        checked = check_expression(ctx, where, text, scope, aggregation="forbidden")
        if checked is None or not checked.known:
            types[name] = None
            continue
        what = f"report {report['id']!r} value {name!r}"
        uses_clock = checked.expression.uses_clock
        ctx.database_uses.append(DatabaseUse(where, what, module.id, checked.depends, uses_clock))
        found = infer_type(checked.expression, lambda r: scope.resolve(r).type)
        types[name] = SAME.get(str(found), found)
    return types


def sources_scope(ctx: PackContext, path: Path, report: Mapping[str, Any]) -> UnionScope | None:
    """The shared names of a report over several sources, after checking each source."""
    for name, measure in (report.get("measures") or {}).items():
        if isinstance(measure, Mapping) and measure.get("compare"):
            params = {"measure": name}
            ctx.add_problem((*path, "measures", name, "compare"), "report_sources_compare", params)
    first: dict[str, str | None] | None = None
    for index, source in enumerate(report.get("sources") or ()):
        where: Path = (*path, "sources", index)
        types = _check_source(ctx, where, report, source)
        if types is None:
            continue
        if first is None:
            first = types
            continue
        _compare(ctx, where, first, types)
    return UnionScope(first) if first is not None else None


def _compare(
    ctx: PackContext, path: Path, first: Mapping[str, str | None], types: Mapping[str, str | None]
) -> None:
    """The same names as the first source, each of the same type where both are known."""
    missing, extra = [n for n in first if n not in types], [n for n in types if n not in first]
    if missing or extra:
        params = {"missing": listing(missing), "extra": listing(extra)}
        ctx.add_problem((*path, "values"), "report_source_names_differ", params)
    for name, kind in types.items():
        other = first.get(name)
        if kind and other and kind != other and "any" not in (kind, other):
            params = {"name": name, "type": kind, "first": other}
            ctx.add_problem((*path, "values", name), "report_source_type_differs", params)
