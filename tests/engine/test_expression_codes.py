"""Expression errors answer codes: each reason its code, its params and its place in the text,
from reading, running and translating alike; a pack check keeps the code of the error inside."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import column

from engine.errors import ExpressionError
from engine.expressions import parse
from tests.engine.test_pack_checks import base, only


def _refused(text: str, env: dict[str, Any] | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(text).evaluate(env or {})
    return caught.value


@pytest.mark.parametrize(
    ("text", "code", "params", "position"),
    [
        ("", "expr_empty", {}, 0),
        ("hours * (2 + 1", "expr_unclosed", {"bracket": "("}, 8),
        ("hours )", "expr_unmatched", {"bracket": ")"}, 6),
        ("nosuch(1)", "expr_unknown_function", {"name": "nosuch"}, 0),
        ("round(1, 2, 3)", "expr_wrong_arity", {"name": "round", "given": 3, "max_args": 2}, 0),
        ("0x1f", "expr_not_decimal", {"literal": "0x1f"}, 0),
        ("1 + 1 / 0", "expr_division_by_zero", {}, 4),
        ("1 + 'a'", "expr_arithmetic_kinds", {"op": "+", "right": "text 'a'"}, 0),
        ("hours + 1", "expr_unknown_name", {"name": "hours"}, 0),
    ],
)
def test_each_reason_has_its_code_params_and_position(
    text: str, code: str, params: dict[str, Any], position: int
) -> None:
    error = _refused(text)
    assert error.problem.code == code
    assert params.items() <= dict(error.problem.params).items()
    assert error.position == position
    assert str(error).endswith(f" (at character {position})")


def test_sql_translation_refusals_are_coded_too() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("hours > 1").to_sql(lambda path: column(path[0]), aggregate=True)
    assert caught.value.problem.code == "expr_outside_aggregate"
    assert caught.value.problem.params["name"] == "hours"


def test_a_pack_check_keeps_the_code_of_the_expression_inside() -> None:
    pack = base()
    tally = next(m for m in pack["modules"] if m["id"] == "tally")
    tally["schema"]["properties"]["hours"]["x-formula"] = "round(1, 2, 3)"
    problem = only(pack)
    assert problem.code == "expression_unreadable"
    assert problem.params["expression_code"] == "expr_wrong_arity"
    assert problem.params["text"] == "round(1, 2, 3)" and problem.params["given"] == 3
    assert problem.message == (
        "cannot read 'round(1, 2, 3)': round() takes 1 or 2 arguments, got 3 (at character 0)"
    )
