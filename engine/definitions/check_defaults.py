"""Check computed defaults (`x-default`): where they may stand, what they read, what they give.

A field's default expression is evaluated when a record is created (engine/records/defaults.py)
in the record's scope, so it may read other fields, `$owner`, `user.id` and one link further
(`project.manager`); a child-table column's default reads its row and one link further
(`material.unit`). It is refused on a computed field (the formula wins every write), beside a
static `default` (which would apply?), and when its value cannot fill the field
(`"due": "amount"`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.definitions.check_expressions import check_expression
from engine.definitions.check_rules import FITS, KNOWN
from engine.definitions.context import PackContext, Path
from engine.definitions.model import Field
from engine.definitions.scope import (
    Catalogue,
    ModuleInfo,
    RecordScope,
    Resolution,
    RowScope,
    Scope,
    resolve_field,
)
from engine.expressions import infer_type
from engine.kinds.standard import LINK


@dataclass(frozen=True)
class RowLinkScope:
    """Names a child-row default may use: its row's columns and `link_column.field`."""

    catalogue: Catalogue
    module: ModuleInfo
    table: Field

    def resolve(self, path: tuple[str, ...]) -> Resolution:
        column = self.table.columns.get(path[0])
        if len(path) > 1 and column is not None and column.kind_type is LINK:
            row = ModuleInfo(self.module.id, {}, dict(self.table.columns), None, None)
            return resolve_field(self.catalogue, row, path)
        return RowScope(self.module, self.table).resolve(path)


def check_defaults(ctx: PackContext, module: ModuleInfo) -> None:
    """Check every `x-default` of the module's fields and child-table columns."""
    if module.index is None:
        return
    base: Path = ("modules", module.index, "schema", "properties")
    record = RecordScope(ctx.catalogue, module)
    for name, info in module.fields.items():
        _check_one(ctx, (*base, name), info, record)
        for column in info.children:
            where = (*base, name, "items", "properties", column.name)
            _check_one(ctx, where, column, RowLinkScope(ctx.catalogue, module, info))


def _check_one(ctx: PackContext, path: Path, info: Field, scope: Scope) -> None:
    schema: Mapping[str, object] = info.schema
    text = schema.get("x-default")
    if not isinstance(text, str):
        return
    where = (*path, "x-default")
    if info.computed or not info.kind_type.stored or not info.kind_type.scalar:
        ctx.add_problem(where, "default_on_computed", {"field": info.name})
        return
    if "default" in schema:
        ctx.add_problem(where, "default_twice", {"field": info.name})
        return
    checked = check_expression(ctx, where, text, scope, aggregation="forbidden")
    if checked is None or not checked.known:
        return
    actual = infer_type(checked.expression, lambda ref: scope.resolve(ref).type)
    expected = info.expression_type
    if expected in FITS and actual in KNOWN and actual not in FITS[expected]:
        params = {"field": info.name, "expected": expected, "text": text, "actual": actual}
        ctx.add_problem(where, "default_type_clash", params)
