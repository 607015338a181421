"""Evaluation: the values a formula, guard or condition gives for a record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from engine.errors import ExpressionError
from engine.expressions import parse


def ev(source: str, **env: Any) -> Any:
    return parse(source).evaluate(env)


def test_labour_tally_amount_is_exact() -> None:
    assert ev("hours * rate", hours=Decimal("7.5"), rate=Decimal("42.10")) == Decimal("315.750")
    assert ev("0.1 + 0.2") == Decimal("0.3")
    assert ev("hours * rate", hours=8, rate=Decimal("42.50")) == Decimal("340.00")


def test_integers_stay_integers_except_division() -> None:
    assert ev("3 * 4 - 2") == 10 and isinstance(ev("3 * 4 - 2"), int)
    assert ev("7 / 2") == Decimal("3.5")
    assert ev("1 / 3") == Decimal("0.3333333333333333333333333333333333")


def test_remainder_keeps_the_sign_of_the_dividend_as_sql_does() -> None:
    assert ev("7 % 3") == 1
    assert ev("-7 % 3") == -1
    assert ev("7.5 % 2") == Decimal("1.5")


@pytest.mark.parametrize("source", ["1 / 0", "1 % 0", "x / y", "avg([1]) / 0.0"])
def test_division_by_zero_is_an_error(source: str) -> None:
    with pytest.raises(ExpressionError, match="division by zero"):
        ev(source, x=5, y=Decimal("0.00"))


def test_floats_from_outside_become_decimals() -> None:
    assert ev("x * 3", x=0.1) == Decimal("0.3")


def test_null_rules() -> None:
    assert ev("hours * rate", hours=None, rate=3) is None
    assert ev("-x", x=None) is None
    assert ev("x > 8", x=None) is False
    assert ev("x <= 8", x=None) is False
    assert ev("x == null", x=None) is True
    assert ev("x != null", x=None) is False
    assert ev("x != 3", x=None) is True
    assert ev("not x", x=None) is True
    assert ev("x or 0", x=None) is False
    assert ev("coalesce(x, y, 5)", x=None, y=None) == 5
    assert ev("coalesce(x)", x=None) is None


def test_and_or_give_booleans_from_truthiness() -> None:
    assert ev("a and b", a=1, b="x") is True
    assert ev("a or b", a=0, b="") is False
    assert ev("a or b", a=[], b=[1]) is True


def test_equality_never_mixes_kinds() -> None:
    assert ev("1 == true") is False
    assert ev("'5' == 5") is False
    assert ev("1 == 1.00") is True
    assert ev("[1, 'a'] == [1.0, 'a']") is True


def test_ordering_across_kinds_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="cannot compare text 'abc' with number 3"):
        ev("'abc' < 3")
    with pytest.raises(ExpressionError, match="cannot compare"):
        ev("true > false")


def test_chained_comparisons() -> None:
    assert ev("0 < x <= 8", x=8) is True
    assert ev("0 < x <= 8", x=9) is False


def test_membership_in_lists_and_texts() -> None:
    assert ev("$state in ['draft', 'rejected']", **{"$state": "draft"}) is True
    assert ev("$state not in ('draft', 'rejected')", **{"$state": "approved"}) is True
    assert ev("'pm' in user.roles", user={"id": "u1", "roles": ["pm", "foreman"]}) is True
    assert ev("'rebar' in notes", notes="rebar for level 3") is True
    assert ev("x in [1, 2]", x=Decimal("2.0")) is True
    assert ev("null in [1, null]") is True
    with pytest.raises(ExpressionError, match="'in' needs a list or a text"):
        ev("1 in 5")


def test_conditional() -> None:
    assert ev("'overtime' if hours > 8 else 'normal'", hours=9) == "overtime"
    assert ev("'overtime' if hours > 8 else 'normal'", hours=None) == "normal"


def test_paths_into_links_child_rows_and_the_user() -> None:
    env = {
        "project": {"name": "Riverside Tower", "client": {"name": "City"}},
        "items": [{"amount": Decimal("1.50"), "trade": "rebar"}, {"amount": None}, None],
        "user": {"id": "u7", "roles": ["pm"]},
        "nothing": None,
    }
    assert parse("project.name").evaluate(env) == "Riverside Tower"
    assert parse("project.client.name").evaluate(env) == "City"
    assert parse("project.missing").evaluate(env) is None
    assert parse("items.amount").evaluate(env) == [Decimal("1.50"), None, None]
    assert parse("nothing.name").evaluate(env) is None
    assert parse("user.id").evaluate(env) == "u7"


def test_path_into_a_plain_value_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="'project' is text 'p1'; it has no field 'name'"):
        ev("project.name", project="p1")


def test_unknown_name_is_an_error_with_its_position() -> None:
    with pytest.raises(ExpressionError) as caught:
        ev("hours * rate", hours=1)
    assert caught.value.message == "unknown name 'rate'"
    assert caught.value.position == 8


def test_failures_point_at_the_failing_part() -> None:
    with pytest.raises(ExpressionError) as caught:
        ev("1 + (a - 'x')", a=1)
    assert caught.value.position == 5
    assert "cannot subtract number 1 and text 'x'" in caught.value.message


def test_text_joining() -> None:
    assert ev("first + ' ' + last", first="Li", last="Wei") == "Li Wei"
    assert (
        ev(
            "concat(worker, ': ', hours, 'h on ', day, ' ', ok)",
            worker="Li",
            hours=Decimal("7.50"),
            day=dt.date(2026, 3, 2),
            ok=True,
        )
        == "Li: 7.50h on 2026-03-02 true"
    )
    assert ev("concat('a', null, 'b')") == "ab"
    with pytest.raises(ExpressionError, match="cannot add text 'a' and number 1"):
        ev("'a' + 1")


def test_text_results_are_bounded() -> None:
    big = "x" * 6000
    with pytest.raises(ExpressionError, match="longer than 10000"):
        ev("a + a", a=big)
    with pytest.raises(ExpressionError, match="longer than 10000"):
        ev("concat(a, a)", a=big)
    assert len(ev("a", a=big * 3)) == 18000  # reading a long text is fine


def test_numbers_are_bounded() -> None:
    with pytest.raises(ExpressionError, match="out of range"):
        ev("x * x", x=Decimal("1e600000"))
    with pytest.raises(ExpressionError, match="more than 34 digits"):
        ev("x + 1", x=10**40)
    with pytest.raises(ExpressionError, match="not finite"):
        ev("x + 1", x=Decimal("NaN"))
    with pytest.raises(ExpressionError, match="not finite"):
        ev("x", x=float("inf"))


def test_aggregates_over_child_rows() -> None:
    items = [{"amount": Decimal("1.50")}, {"amount": None}, {"amount": 3}]
    assert ev("sum(items.amount)", items=items) == Decimal("4.50")
    assert ev("count(items.amount)", items=items) == 2
    assert ev("count(items)", items=items) == 3
    assert ev("avg(items.amount)", items=items) == Decimal("2.25")
    assert ev("min(items.amount)", items=items) == Decimal("1.50")
    assert ev("max(items.amount)", items=items) == 3
    assert ev("len(items)", items=items) == 3


def test_aggregates_of_nothing() -> None:
    assert ev("sum([])") == 0
    assert ev("sum(x)", x=[None]) == 0
    assert ev("avg([])") is None
    assert ev("min([])") is None
    assert ev("max(x)", x=None) is None
    assert ev("count([])") == 0


def test_aggregates_of_several_values_and_other_kinds() -> None:
    assert ev("max(a, b)", a=3, b=Decimal("3.5")) == Decimal("3.5")
    assert ev("min(['b', 'a'])") == "a"
    assert ev("max(dates)", dates=[dt.date(2026, 1, 2), "2026-03-01"]) == "2026-03-01"
    with pytest.raises(ExpressionError, match="sum\\(\\) needs numbers, got text 'a'"):
        ev("sum(['a'])")
    with pytest.raises(ExpressionError, match="cannot compare"):
        ev("max([1, 'a'])")
    with pytest.raises(ExpressionError, match="count\\(\\) without an argument"):
        ev("count()")


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("round(2.5)", 3),
        ("round(-2.5)", -3),
        ("round(2.675, 2)", Decimal("2.68")),
        ("round(2.665, 2)", Decimal("2.67")),
        ("round(1234, -2)", 1200),
        ("round(7, 2)", Decimal("7.00")),
        ("round(null, 2)", None),
        ("abs(-4.5)", Decimal("4.5")),
        ("len('工程管理')", 4),
        ("len(null)", None),
    ],
)
def test_number_and_text_functions(source: str, value: Any) -> None:
    result = ev(source)
    assert result == value
    assert type(result) is type(value)


def test_round_needs_whole_places() -> None:
    with pytest.raises(ExpressionError, match="whole number of places"):
        ev("round(1, 0.5)")
    with pytest.raises(ExpressionError, match="at most 34 places"):
        ev("round(1, 100)")
    with pytest.raises(ExpressionError, match="34 digits"):
        ev("round(x, 30)", x=Decimal("123456789012"))


def test_dates() -> None:
    start, end = dt.date(2026, 3, 1), dt.date(2026, 4, 15)
    assert ev("days_between(a, b)", a=start, b=end) == 45
    assert ev("days_between(b, a)", a=start, b=end) == -45
    assert ev("days_between('2026-03-01', b)", b=end) == 45
    assert ev("year(d)", d=start) == 2026
    assert ev("month(d)", d="2026-03-09") == "2026-03"
    assert ev("month(d)", d=dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.UTC)) == "2026-12"
    assert ev("d >= '2026-03-01'", d=start) is True
    assert ev("d == '2026-03-01'", d=start) is True
    assert ev("d < t", d=start, t=dt.datetime(2026, 3, 1, 8, 0)) is True
    assert ev("year(d)", d=None) is None
    with pytest.raises(ExpressionError, match="text 'soon' is not a date"):
        ev("d > 'soon'", d=start)
    with pytest.raises(ExpressionError, match="expected a date, got number 5"):
        ev("year(5)")


def test_clock_functions_use_the_given_time() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    now = dt.datetime(2026, 3, 2, 1, 30, tzinfo=shanghai)
    expr = parse("days_between(due, today())")
    assert expr.evaluate({"due": dt.date(2026, 3, 1)}, now=now) == 1
    assert parse("now()").evaluate({}, now=now) == dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)
    assert parse("today()").evaluate({}) == dt.datetime.now(dt.UTC).date()


def test_unsupported_values_are_errors() -> None:
    with pytest.raises(ExpressionError, match="values of type object are not supported"):
        ev("x", x=object())
    with pytest.raises(ExpressionError, match="values must be a mapping"):
        parse("1").evaluate([])  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match="records cannot be compared"):
        ev("a == b", a={"x": 1}, b={"x": 1})


def test_deeply_nested_values_do_not_crash() -> None:
    nested: list[Any] = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(ExpressionError, match="nested too deeply"):
        ev("x", x=nested)
