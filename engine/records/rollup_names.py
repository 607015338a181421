"""What the names in a rollup's value and `where` mean in SQL: the summed module's stored
fields, rollups and system values, and `parent.<field>` for the record holding the rollup.
Shared by rollups over records and over child-table rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, Table

from engine.definitions.model import SYSTEM_COLUMNS, Module
from engine.errors import ExpressionError
from engine.expressions.sql import Resolve


def rollup_resolver(table: FromClause, module: Module, parent: Table | None) -> Resolve:
    """Names of the summed module (stored fields, rollups, `$state`...) and `parent.<field>`."""

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        if len(path) == 2 and path[0] == "parent" and parent is not None:
            name = SYSTEM_COLUMNS.get(path[1], path[1])
            if name in parent.c:
                return parent.c[name]
        if len(path) != 1:
            raise ExpressionError(code="expr_not_in_database", name=".".join(path))
        name = path[0]
        column = SYSTEM_COLUMNS.get(name, name)
        field = module.field(name)
        kept = field is not None and (field.stored or field.rollup is not None)
        if (name.startswith("$") or kept) and column in table.c:
            return table.c[column]
        raise ExpressionError(code="expr_not_stored", name=name, module=module.id)

    return resolve
