"""Parsing: what the language accepts, what it refuses, and where it says the problem is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.errors import ExpressionError
from engine.expressions import AGGREGATES, FUNCTIONS, SYSTEM_NAMES, parse
from engine.expressions.nodes import Literal


def test_a_formula_lists_the_names_it_reads_and_the_functions_it_calls() -> None:
    expr = parse("round(hours * rate, 2) + sum(items.amount) if project.active else 0")
    assert expr.source == "round(hours * rate, 2) + sum(items.amount) if project.active else 0"
    assert expr.references == {
        ("hours",),
        ("rate",),
        ("items", "amount"),
        ("project", "active"),
    }
    assert expr.functions == {"round", "sum"}
    assert expr.uses_clock is False


def test_system_values_and_the_acting_user_are_references() -> None:
    expr = parse("$state == 'approved' and $owner == user.id and 'pm' in user.roles")
    assert expr.references == {("$state",), ("$owner",), ("user", "id"), ("user", "roles")}


def test_dollar_inside_text_is_left_alone() -> None:
    expr = parse("concat('$state: ', $state)")
    assert expr.references == {("$state",)}
    assert expr.evaluate({"$state": "draft"}) == "$state: draft"


def test_clock_functions_are_flagged() -> None:
    assert parse("days_between(date, today())").uses_clock is True
    assert parse("now() > due").uses_clock is True
    assert parse("year(date)").uses_clock is False


def test_parse_is_cached() -> None:
    assert parse("hours * 2") is parse("hours * 2")


def test_expressions_are_hashable_and_compare_by_source() -> None:
    assert {parse("a + 1"), parse("a + 1")} == {parse("a + 1")}
    assert parse("a + 1") != parse("a+1")


def test_numbers_are_exact_decimals_taken_from_the_source() -> None:
    literal = parse("0.1").tree
    assert isinstance(literal, Literal)
    assert literal.value == Decimal("0.1")
    assert parse("2.50").evaluate({}) == Decimal("2.50")
    assert parse("1_000").evaluate({}) == 1000
    assert parse("-3").evaluate({}) == -3
    assert parse("1e3").evaluate({}) == 1000
    assert parse("12345678901234567890.123456789").evaluate({}) == Decimal(
        "12345678901234567890.123456789"
    )


@pytest.mark.parametrize(
    ("source", "value"),
    [("true", True), ("false", False), ("null", None), ("True", True), ("None", None)],
)
def test_literal_words(source: str, value: object) -> None:
    assert parse(source).evaluate({}) is value
    assert parse(source).references == frozenset()


def test_formulas_may_span_lines_and_start_with_blanks() -> None:
    expr = parse("  hours\n  * rate\r\n")
    assert expr.evaluate({"hours": 2, "rate": 3}) == 6


def test_the_registry_is_exported() -> None:
    assert set(FUNCTIONS) == {
        "sum", "min", "max", "count", "avg", "round", "abs", "len", "distinct", "coalesce", "concat",
        "today", "now", "days_between", "year", "month", "week", "add_days", "add_months",
        "floor", "ceil",
    }  # fmt: skip
    assert {"sum", "min", "max", "count", "avg"} == AGGREGATES
    assert "$state" in SYSTEM_NAMES


@pytest.mark.parametrize(
    ("source", "message", "position"),
    [
        ("a[0]", "subscripts", 0),
        ("hours + a[0]", "subscripts", 8),
        ("lambda: 1", "lambda", 0),
        ("[x for x in items]", "comprehensions", 0),
        ("f'{hours}'", "f-strings", 0),
        ("(n := 1)", "assignments", 1),
        ("sum(*items)", "starred", 4),
        ("{'a': 1}", "dictionaries", 0),
        ("{1, 2}", "sets", 0),
        ("2 ** 10", "'**'", 0),
        ("7 // 2", "'//'", 0),
        ("1 << 2", "'<<'", 0),
        ("a | b", "'|'", 0),
        ("~a", "'~'", 0),
        ("a is null", "'is' is not allowed", 0),
        ("x.__class__", "may not start with '_'", 2),
        ("_secret", "may not start with '_'", 0),
        ("open('f')", "unknown function 'open'", 0),
        ("__import__('os')", "may not start with '_'", 0),
        ("sum(items).amount", "fields can only be read from names", 0),
        ("items.count()", "only the language's functions", 0),
        ("round(x, ndigits=2)", "no keyword arguments", 0),
        ("round(1, 2, 3)", "round() takes 1 or 2 arguments, got 3", 0),
        ("today(1)", "today() takes 0 arguments, got 1", 0),
        ("days_between(a)", "takes 2 arguments", 0),
        ("$foo", "unknown system value $foo", 0),
        ("a + $", "'$' must start a system value", 4),
        ("a$state", "'$' must start a system value", 1),
        ("$state.x", "$state has no fields", 0),
        ("true.x", "true has no fields", 0),
        ("0x1F", "only decimal numbers", 0),
        ("1j", "complex numbers", 0),
        ("b'x'", "bytes", 0),
        ("1, 2", "brackets", 0),
        ("a) + (b", "unmatched ')'", 1),
        ("sum(x", "'(' is never closed", 3),
        ("1 +", "syntax error", None),
        ("'abc", "syntax error", 0),
        ("", "empty", 0),
        ("   ", "empty", 0),
        ("a\x00", "not allowed", 1),
        ("'a\\x00'", "NUL or surrogate", 0),
        ("'\\ud800'", "NUL or surrogate", 0),
        ("1" * 35, "at most 34 digits", 0),
        ("1e9999999", "out of range", 0),
    ],
)
def test_refused_constructs_name_the_construct_and_its_place(
    source: str, message: str, position: int | None
) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert message in caught.value.message
    if position is not None:
        assert caught.value.position == position


def test_positions_count_characters_not_bytes() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("'工程' + a[0]")
    assert caught.value.position == 7


def test_positions_on_later_lines() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("hours +\n  a[0]")
    assert caught.value.position == 10


def test_names_must_be_in_normal_form() -> None:
    with pytest.raises(ExpressionError, match="normal form"):
        parse("ﬁeld + 1")


def test_size_limits() -> None:
    with pytest.raises(ExpressionError, match="at most 4000 characters"):
        parse("1 + " * 1000 + "1")
    with pytest.raises(ExpressionError, match="more than 500 parts"):
        parse("[" + ", ".join(["a"] * 600) + "]")
    with pytest.raises(ExpressionError, match="40 levels"):
        parse("-" * 60 + "a")
    with pytest.raises(ExpressionError, match="nested"):
        parse("-" * 3000 + "1")
    with pytest.raises(ExpressionError):
        parse("(" * 300 + "1" + ")" * 300)


def test_non_text_is_refused() -> None:
    with pytest.raises(ExpressionError, match="must be text"):
        parse(12)  # type: ignore[arg-type]
