"""Check one expression of a pack: it parses, names only known things and its types agree.

Every expression of a pack (formulas, rollup values and conditions, show_if, required_if,
transition guards, report filters, groups and measures) passes through `check_expression`,
so they all get the same messages: the text, what is wrong in it and what would be right.

An expression that cannot be read is reported under its pack-check code (`expression_unreadable`,
`unknown_function`) with the text, the English `detail` and, beside them, the expression
error's own code (`expression_code`, engine/codes_expressions.py) and params: the outer code
stays the stable key of the pack check, and web/ renders the inner code in the reader's
language as the detail of the outer sentence: translated all the way down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.definitions.check_links import note_link_reads
from engine.definitions.check_literals import check_literals
from engine.definitions.context import PackContext, Path
from engine.definitions.scope import Node, Resolution, Scope
from engine.errors import ExpressionError
from engine.expressions import AGGREGATES, Expression, parse, type_clashes

Aggregation = Literal["required", "forbidden", "any"]


@dataclass(frozen=True)
class Checked:
    """A parsed expression with the fields it reads (including through links)."""

    expression: Expression
    depends: frozenset[Node]
    known: bool  # every name it uses is known


def check_expression(
    ctx: PackContext,
    path: Path,
    text: str,
    scope: Scope,
    *,
    aggregation: Aggregation = "any",
) -> Checked | None:
    """Parse `text` and check it in `scope`; add problems at `path`. None if it cannot parse."""
    try:
        expression = parse(text)
    except ExpressionError as exc:
        ctx.add_problem(path, exc.reason, exc.wrapped(text=text))
        return None
    resolved: dict[tuple[str, ...], Resolution] = {}
    depends: set[Node] = set()
    known = True
    for reference in sorted(expression.references):
        resolution = scope.resolve(reference)
        resolved[reference] = resolution
        if resolution.error:
            name = ".".join(reference)
            params = {"text": text, "name": name, "detail": resolution.error}
            ctx.add_problem(path, "unknown_name", params)
            known = False
        depends |= resolution.depends
    aggregates = sorted(expression.functions & AGGREGATES)
    if aggregation == "required" and not aggregates:
        ctx.add_problem(path, "aggregate_required", {"text": text})
    elif aggregation == "forbidden" and aggregates:
        params = {"text": text, "functions": ", ".join(aggregates)}
        ctx.add_problem(path, "aggregate_forbidden", params)

    def type_of(reference: tuple[str, ...]) -> str | None:
        resolution = resolved.get(reference) or scope.resolve(reference)
        return None if resolution.error else resolution.type

    if known:  # with an unknown name, its fix comes first; its type would only add noise
        for clash in type_clashes(expression, type_of):
            params = {**clash.params, "text": text, "detail": clash.message}
            ctx.add_problem(path, "type_clash", params)
        check_literals(ctx, path, text, expression, scope)
        note_link_reads(ctx, path, expression, scope)
    return Checked(expression, frozenset(depends), known)
