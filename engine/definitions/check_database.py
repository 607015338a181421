"""Try, at import, the SQL of every expression the database computes.

Reports, rollups and dashboard measures run as SQL over one module's table. An expression can
pass every other check and still have no SQL form: a link path (`project.manager` — the
statement does not join the linked module), a child-table column (`sum(items.hours)`), the
acting user (`user.id`), a child table as a whole, `'x' in tags` over a stored list. Those used
to import and then fail with a 422 each time the report ran. Here each is translated exactly
as it will be when it runs (`Expression.to_sql`), over stand-in columns typed like the
module's table, and a failure is an import problem at the expression with the translator's
own reason (`not_in_database`, its inner code in `expression_code`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, ColumnElement, DateTime, String
from sqlalchemy.types import NullType, TypeEngine

from engine.definitions.context import PackContext, Path, pointer
from engine.definitions.model import SYSTEM_COLUMNS, Field
from engine.definitions.scope import ModuleInfo
from engine.errors import ExpressionError
from engine.expressions import Expression
from engine.expressions.nodes import Call, Name, walk

SYSTEM_SQL_TYPES: dict[str, TypeEngine[Any]] = {
    "$created_at": DateTime(timezone=True),
    "$updated_at": DateTime(timezone=True),
}
# Aggregates that order values: over a multi-choice field (a list per record) PostgreSQL has no
# such function and SQLite compares the lists' JSON text.
ORDER_AGGREGATES = frozenset({"min", "max"})
# Heads of paths another part of the pack format gives a meaning in SQL (a rollup's `where`
# may read the summed-into record as `parent.field`); the translator's caller resolves them.
OWN_HEADS = frozenset({"parent"})


def check_in_database(
    ctx: PackContext,
    path: Path,
    what: str,
    expression: Expression,
    module: ModuleInfo,
    *,
    aggregate: bool = False,
    links: Mapping[str, ModuleInfo] | None = None,
) -> None:
    """Translate `expression` to SQL over `module`'s table; report why it cannot be.

    Given `links` (the catalogue, for reports), `link.field` is one join to the linked module.

    Not where the expression already has a problem (a type clash): its fix comes first; nor
    over the clock, which `check_formulas` reports (`clock_in_database`)."""
    if expression.uses_clock or any(problem.path == pointer(path) for problem in ctx.problems):
        return
    for call in walk(expression.tree):
        if isinstance(call, Call) and call.name in ORDER_AGGREGATES and call.args:
            name = call.args[0]
            path_of = name.path if isinstance(name, Name) else ()
            info = module.fields.get(path_of[0]) if len(path_of) == 1 else None
            if info is not None and info.kind_type.many:
                params = {"what": what, "text": expression.source, "name": call.name}
                ctx.add_problem(path, "aggregate_over_choices", {**params, "field": info.name})
                return
    try:
        expression.to_sql(_resolver(module, links or {}), aggregate=aggregate)
    except ExpressionError as exc:
        if exc.problem.code == "expr_outside_aggregate" and not aggregate:
            return  # reported by the aggregation check where it is written
        params = exc.wrapped(text=expression.source, what=what, module=module.id)
        ctx.add_problem(path, "not_in_database", params)


def _resolver(module: ModuleInfo, links: Mapping[str, ModuleInfo]) -> Any:
    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        name = path[0]
        if name in OWN_HEADS and name not in module.fields:
            return Column(name, NullType())
        link = module.fields.get(name)
        if len(path) == 2 and link is not None and link.kind_type.links and link.ref in links:
            return _resolver(links[str(link.ref)], {})(path[1:])
        if len(path) != 1:
            raise ExpressionError(code="expr_not_in_database", name=".".join(path))
        if name in SYSTEM_COLUMNS:
            return Column(SYSTEM_COLUMNS[name], SYSTEM_SQL_TYPES.get(name, String(64)))
        info = module.fields.get(name)
        if info is None:  # reported as an unknown name
            return Column(name, NullType())
        if not _has_column(info):
            raise ExpressionError(code="expr_not_stored", name=name, module=module.id)
        return Column(name, info.kind_type.sql_type(info))

    return resolve


def _has_column(info: Field) -> bool:
    """Whether the module's table has a column for the field (a formula computed when read
    is reported by the clock check; a rollup is summed in SQL where it is read)."""
    return info.kind_type.stored and not info.kind_type.rows
