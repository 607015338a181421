"""Check validations over each row of a child table (`{"rows": "lines", "when": ...}`).

`rows` must name a child table of the module; `when` may name the row's columns, a field of
the record a link column points at (`card.received`, one link deep), the owning record's
fields as `parent.<field>` and its system values (`$state`); `fields` are columns of the
table, where a refusal is shown (engine/records/row_rules.py runs them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.definitions.check_expressions import check_expression
from engine.definitions.context import PackContext, Path, listing
from engine.definitions.model import Field
from engine.definitions.scope import (
    Catalogue,
    ModuleInfo,
    RecordScope,
    Resolution,
    RowScope,
    resolve_field,
    suggest,
)
from engine.kinds.standard import LINK


@dataclass(frozen=True)
class RowRuleScope:
    """Names of a row rule: the row's columns and `link_column.field`, then `parent.field`
    and the owning record's system values."""

    catalogue: Catalogue
    module: ModuleInfo
    table: Field

    def resolve(self, path: tuple[str, ...]) -> Resolution:
        if path[0] == "parent" and len(path) > 1 and "parent" not in self.table.columns:
            return RecordScope(self.catalogue, self.module).resolve(path[1:])
        if path[0].startswith("$"):
            return RecordScope(self.catalogue, self.module).resolve(path)
        column = self.table.columns.get(path[0])
        if len(path) > 1 and column is not None and column.kind_type is LINK:
            row = ModuleInfo(self.module.id, {}, dict(self.table.columns), None, None)
            return resolve_field(self.catalogue, row, path)
        return RowScope(self.module, self.table).resolve(path)


def check_row_rule(
    ctx: PackContext, module: ModuleInfo, path: Path, validation: Mapping[str, Any]
) -> None:
    """The child table a row rule names, its `when` and the columns of its `fields`."""
    name = str(validation.get("rows"))
    tables = [f.name for f in module.fields.values() if f.kind_type.rows]
    table = module.fields.get(name)
    if table is None or not table.kind_type.rows:
        params = {"module": module.id, "table": name, "hint": suggest(name, tables)}
        ctx.add_problem(
            (*path, "rows"), "validation_rows_unknown", {**params, "tables": listing(tables)}
        )
        return
    scope = RowRuleScope(ctx.catalogue, module, table)
    if isinstance(validation.get("when"), str):
        check_expression(ctx, (*path, "when"), validation["when"], scope, aggregation="forbidden")
    for position, column in enumerate(validation.get("fields") or ()):
        if column not in table.columns:
            hint = suggest(str(column), table.columns)
            detail = f"{column!r} is not a column of {table.name}{hint}"
            params = {"field": column, "detail": detail}
            ctx.add_problem((*path, "fields", position), "validation_unknown_field", params)
