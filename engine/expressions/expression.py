"""The parsed expression: parse once, then evaluate, translate or check it many times.

`parse` is cached, so every formula, guard and condition of every installed module is parsed
once per process however often it runs. An `Expression` is immutable and hashable, so the
compiled module's frozen dataclasses can hold it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from engine.errors import ExpressionError
from engine.expressions.compiled import Code, compile_tree, run
from engine.expressions.functions import FUNCTIONS
from engine.expressions.nodes import Call, Name, Node, walk
from engine.expressions.parser import parse_tree
from engine.expressions.sql import translate

PARSE_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Expression:
    """One parsed expression with what it reads and calls."""

    source: str
    tree: Node = field(repr=False, compare=False)
    references: frozenset[tuple[str, ...]] = field(repr=False, compare=False)
    functions: frozenset[str] = field(repr=False, compare=False)
    uses_clock: bool = field(repr=False, compare=False)

    def evaluate(self, env: Mapping[str, Any], *, now: dt.datetime | None = None) -> Any:
        """The value for `env` (names → values); `now` fixes the clock of today()/now()."""
        return run(self.code, self.tree.start, env, now)

    @cached_property
    def code(self) -> Code:
        """The tree compiled once into closures (`compiled`): what `evaluate` runs; it gives
        what `evaluate_tree` over the tree gives, without walking the tree each time."""
        return compile_tree(self.tree)

    def to_sql(
        self,
        resolve: Callable[[tuple[str, ...]], ColumnElement[Any]],
        *,
        aggregate: bool = False,
    ) -> ColumnElement[Any]:
        """A SQLAlchemy expression; `resolve` maps a name path to a column expression."""
        return translate(self.tree, resolve, aggregate=aggregate)


def parse(source: str) -> Expression:
    """Parse `source` (cached); raises a coded ExpressionError with its position if invalid.

    There are no parse modes: the same expression may be evaluated per record or translated
    with `to_sql(..., aggregate=True)`; whether aggregates fit is decided there.
    """
    if not isinstance(source, str):
        raise ExpressionError(code="expr_not_text", position=0, type=type(source).__name__)
    return _parse_cached(source)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_cached(source: str) -> Expression:
    tree = parse_tree(source)
    nodes = walk(tree)
    functions = frozenset(node.name for node in nodes if isinstance(node, Call))
    return Expression(
        source=source,
        tree=tree,
        references=frozenset(node.path for node in nodes if isinstance(node, Name)),
        functions=functions,
        uses_clock=any(FUNCTIONS[name].uses_clock for name in functions),
    )
