"""Compiled expressions answer as the tree walker does: the same value, or the same error at
the same place; and a new record's history is the diff of its values against nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.audit import created, diff
from engine.errors import ExpressionError
from engine.expressions import parse
from engine.expressions.compiled import compile_tree, run
from engine.expressions.evaluator import evaluate_tree
from tests.engine.test_compiled_coercion import MODULE, clean, shape
from tests.engine.test_expressions_properties import envs, token_soup, valid_sources, zones

SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(evaluate: Any) -> Any:
    try:
        return ("value", shape(evaluate()))
    except ExpressionError as exc:
        return ("error", exc.problem.code, exc.position, sorted(map(str, exc.params.items())))


@SETTINGS
@given(st.one_of(valid_sources, token_soup), envs, st.datetimes(timezones=zones))
@example("sum(items.x) * 2", {"items": [{"x": Decimal("1.5")}, {"x": 2}]}, dt.datetime(2026, 3, 1))
@example("a + 'x'", {"a": 1}, dt.datetime(2026, 3, 1))  # an error placed at the `+`
@example("missing * 2", {}, dt.datetime(2026, 3, 1))
def test_compiled_code_gives_the_tree_walkers_value_or_error(
    source: str, env: dict[str, Any], now: dt.datetime
) -> None:
    try:
        tree = parse(source).tree
    except ExpressionError:
        return
    walked = outcome(lambda: evaluate_tree(tree, env, now))
    assert outcome(lambda: run(compile_tree(tree), tree.start, env, now)) == walked
    assert outcome(lambda: parse(source).evaluate(env, now=now)) == walked


def test_an_error_inside_a_formula_names_the_part_that_failed() -> None:
    expression = parse("hours * (rate + 'x')")
    try:
        expression.evaluate({"hours": 1, "rate": Decimal("2.50")})
    except ExpressionError as exc:
        assert exc.problem.code == "expr_arithmetic_kinds"
        assert exc.position == expression.source.index("rate")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clean)
def test_a_new_records_history_is_its_diff_against_nothing(values: dict[str, Any]) -> None:
    assert created(MODULE, values) == diff(MODULE, {}, values)
