"""Check a rollup over another module's child-table rows (`x-rollup` with `table`).

`{"module": "goods_receipt", "table": "lines", "link": "material", "value": "sum(qty)",
"where": "$state == 'received'"}` sums the `lines` rows of receipts whose `material` column
points at the record holding the rollup. Checked here: the table is a child table of the
module, the link a column of it pointing back, and `value` and `where` name only what the
database can read for a row — the row's own columns, its owning record's own fields and
system values (`$state`), and `parent.<field>` (engine/records/rollup_rows.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.definitions.check_expressions import Aggregation, check_expression
from engine.definitions.check_rollup_match import check_link_or_match, check_match
from engine.definitions.context import Computed, DatabaseUse, PackContext, Path, listing
from engine.definitions.model import Field
from engine.definitions.rollup_scope import RollupScope
from engine.definitions.scope import (
    Catalogue,
    ModuleInfo,
    RecordScope,
    Resolution,
    RowScope,
    suggest,
)


@dataclass(frozen=True)
class RowsScope:
    """Names of a child-row rollup: a row's columns first, then its owning record's own
    fields and system values, and the holder's fields as `parent.x`."""

    catalogue: Catalogue
    source: ModuleInfo
    table: Field
    parent: ModuleInfo | None  # None in a report over the rows (`"rows": "lines"`)

    def resolve(self, path: tuple[str, ...]) -> Resolution:
        if path[0] == "parent" and len(path) > 1 and self.parent is not None:
            return RollupScope(self.catalogue, self.source, self.parent).resolve(path)
        if len(path) > 1:
            return Resolution(
                error=f"{'.'.join(path)!r}: a rollup over {self.table.name} rows reads a row's "
                "columns, its record's own fields and $state (and a rollup parent.field)"
            )
        if path[0] in self.table.columns:
            return RowScope(self.source, self.table).resolve(path)
        return RecordScope(self.catalogue, self.source).resolve(path)


def check_row_rollup(
    ctx: PackContext, module: ModuleInfo, info: Field, source: ModuleInfo, path: Path
) -> None:
    """The child table, its link column back to `module`, then `value` and `where`."""
    rollup: Mapping[str, Any] = info.rollup_source or {}
    where: Path = (*path, "x-rollup")
    tables = [f.name for f in source.fields.values() if f.kind_type.rows]
    table = source.fields.get(str(rollup.get("table")))
    if table is None or not table.kind_type.rows:
        name = str(rollup.get("table"))
        params = {"module": source.id, "table": name, "hint": suggest(name, tables)}
        ctx.add_problem(
            (*where, "table"), "rollup_table_unknown", {**params, "tables": listing(tables)}
        )
        return
    if check_link_or_match(ctx, rollup, where) and "match" in rollup:
        check_match(ctx, module, rollup, (source, table), where)
    elif "link" in rollup:
        _check_row_link(ctx, module, rollup, table, where)
    scope = RowsScope(ctx.catalogue, source, table, module)
    depends: set[tuple[str, ...]] = set()
    uses_clock = False
    pairs: tuple[tuple[str, Aggregation], ...] = (("value", "required"), ("where", "forbidden"))
    for key, aggregation in pairs:
        text = rollup.get(key)
        if not isinstance(text, str):
            continue
        checked = check_expression(ctx, (*where, key), text, scope, aggregation=aggregation)
        if checked is not None:
            depends |= checked.depends
            uses_clock = uses_clock or checked.expression.uses_clock
    ctx.computed[(module.id, info.name)] = Computed(path, "rollup", frozenset(depends), False)
    what = f"rollup {info.name!r}"
    ctx.database_uses.append(DatabaseUse(where, what, source.id, frozenset(depends), uses_clock))


def _check_row_link(
    ctx: PackContext, module: ModuleInfo, rollup: Mapping[str, Any], table: Field, where: Path
) -> None:
    """The rollup's link: a column of the table pointing at `module`."""
    link = table.columns.get(str(rollup.get("link")))
    if link is None or not link.kind_type.links or link.ref != module.id:
        back = [c.name for c in table.columns.values() if c.kind_type.links and c.ref == module.id]
        params = {"module": rollup.get("module"), "table": table.name}
        params |= {"link": str(rollup.get("link")), "target": module.id, "fields": listing(back)}
        ctx.add_problem((*where, "link"), "rollup_row_link_wrong", params)


def rows_report_scope(
    ctx: PackContext, module: ModuleInfo, path: Path, report: Mapping[str, Any]
) -> RowsScope | None:
    """The names of a report over the rows of `module`'s child table `rows`, or None
    (and a problem at `rows`) when it is not a child table of the module. Its measures
    may be running totals (`cumulative`) but cannot compare periods (`compare`): refused
    rather than ignored."""
    rows = report.get("rows")
    for name, measure in (report.get("measures") or {}).items():
        for key in ("compare",):
            if isinstance(measure, Mapping) and measure.get(key):
                params = {"measure": name, "option": key}
                ctx.add_problem((*path, "measures", name, key), "report_rows_over_time", params)
    table = module.fields.get(str(rows))
    if table is not None and table.kind_type.rows:
        return RowsScope(ctx.catalogue, module, table, None)
    tables = [f.name for f in module.fields.values() if f.kind_type.rows]
    params = {"module": module.id, "table": str(rows), "hint": suggest(str(rows), tables)}
    ctx.add_problem((*path, "rows"), "report_rows_unknown", {**params, "tables": listing(tables)})
    return None
