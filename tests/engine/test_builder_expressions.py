"""The builder's expression check: what an admin typing a formula, a condition, a guard or a
report expression is told — the coded problem and where it is, the result type, the names
to complete and the value for a sample record — without a Flask app."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.builder.expressions import ExpressionCheck, check_expression

PACK: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "modules" / "construction.json").read_text("utf-8")
)


def check(text: str, where: str = "formula", **options: Any) -> ExpressionCheck:
    return check_expression(PACK, "labour_tally", where, text, **options)


def codes(found: ExpressionCheck) -> list[str]:
    return [p.code for p in found.problems]


def inner(found: ExpressionCheck) -> str:
    """The expression error's own code inside a pack-check problem."""
    return str(found.problems[0].params.get("expression_code"))


def test_a_syntax_error_says_where_it_is() -> None:
    found = check("hours * ")
    assert codes(found) == ["expression_unreadable"] and inner(found) == "expr_syntax"
    assert found.problems[0].params["position"] == 8
    assert not found.ok and found.evaluated is False


def test_an_unknown_field_is_placed_and_a_close_name_suggested() -> None:
    found = check("amount / hourz")
    assert codes(found) == ["unknown_name"]
    assert found.problems[0].params["position"] == 9
    assert found.problems[0].params["suggestion"] == "hours"


def test_an_unknown_function_is_named() -> None:
    found = check("total(items.amount)")
    assert codes(found) == ["unknown_function"] and found.problems[0].params["name"] == "total"
    assert found.problems[0].params["position"] == 0


def test_a_type_clash_of_text_and_number() -> None:
    found = check("worker + 1")
    assert codes(found) == ["type_clash"]
    assert found.problems[0].params["clash"] == "cannot_add"
    assert found.problems[0].params["position"] == 9  # the number added to the text


def test_an_aggregate_over_one_records_value_in_a_per_record_formula() -> None:
    assert codes(check("sum(hours)")) == ["builder_expr_aggregate_per_record"]
    assert codes(check("count()")) == ["builder_expr_aggregate_per_record"]
    assert codes(check("sum(hours)", table="items")) == ["builder_expr_aggregate_per_record"]
    fine = check("sum(items.amount)", field="amount")
    assert fine.ok and fine.result_type == "number" and fine.value == Decimal("144.50")


def test_a_show_if_must_be_a_condition() -> None:
    found = check("hours + 1", "show_if")
    assert codes(found) == ["builder_expr_not_condition"]
    assert found.problems[0].params["type"] == "number"
    shown = check("hours > 8", "show_if")
    assert shown.ok and shown.result_type == "boolean" and shown.value is True


def test_a_guard_reads_the_fields_of_its_transitions_module() -> None:
    guard = check("hours > 0 and $state == 'draft'", "when")
    assert guard.ok and guard.value is True
    other = check("budget > 0", "when")  # a field of cost_centre, not of labour_tally
    assert codes(other) == ["unknown_name"]
    assert "not a field of labour_tally" in other.problems[0].message


def test_a_report_measure_must_aggregate_and_a_report_filter_must_not() -> None:
    measure = check("sum(amount)", "report_measure")
    assert measure.ok and measure.result_type == "number" and not measure.evaluated
    assert codes(check("amount", "report_measure")) == ["aggregate_required"]
    assert codes(check("sum(amount) > 2", "report_where")) == ["aggregate_forbidden"]


def test_the_names_offered_are_the_modules_fields_system_values_and_functions() -> None:
    names = {n.name: n for n in check("1").names}
    assert names["hours"].group == "field" and names["hours"].type == "number"
    assert names["hours"].title == {"en": "Total hours", "zh-CN": "合计工时"}
    assert names["items.amount"].group == "column" and names["trade"].kind == "choice"
    assert {"$state", "$owner", "user.roles"} <= set(names)
    assert names["round"].signature == "round(x, y?)" and names["sum"].group == "function"
    rows = {n.name for n in check("1", table="items").names}
    assert {"hours", "rate", "content"} <= rows and "worker" not in rows and "$state" not in rows


def test_a_sample_record_gives_money_at_its_scale() -> None:
    row = check("hours * rate", table="items", field="amount",
                sample={"hours": Decimal("7.5"), "rate": Decimal("42.8")})  # fmt: skip
    assert row.ok and row.value == Decimal("321.00") and str(row.value) == "321.00"
    total = check("round(amount / hours, 2)", sample={"items": [
        {"hours": Decimal("3"), "rate": Decimal("10.00")},
        {"hours": Decimal("4"), "rate": Decimal("12.50")}]})  # fmt: skip
    assert total.value == Decimal("11.43")  # (30.00 + 50.00) / 7, the other formulas computed


def test_a_division_by_zero_in_the_sample_is_a_coded_problem_not_an_exception() -> None:
    found = check("amount / hours", sample={"items": [{"hours": 0, "rate": 1}]})
    assert found.ok and not found.evaluated
    assert found.runtime is not None and found.runtime.code == "expr_division_by_zero"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 10_000, "expr_too_long"),
        ("(" * 300 + "1" + ")" * 300, "expr_syntax"),  # Python's own bracket limit
        ("abs(" * 60 + "1" + ")" * 60, "expr_too_deep"),
        ("__import__('os')", "expr_underscore_name"),
        ("hours.__class__", "expr_underscore_name"),
        ("[x for x in items]", "expr_not_allowed"),
        ("lambda: 1", "expr_not_allowed"),
    ],
)
def test_hostile_text_is_refused_with_a_code(text: str, expected: str) -> None:
    found = check(text)
    assert codes(found) == ["expression_unreadable"] and inner(found) == expected


def test_a_draft_that_is_half_written_is_read_as_far_as_it_goes() -> None:
    draft = {"modules": [{"id": "m", "schema": {"properties": {"qty": {"type": "integer"},
             "odd": "not a field"}}}, "not a module"]}  # fmt: skip
    found = check_expression(draft, "m", "formula", "qty * 2")
    assert found.ok and found.value == 6
    assert codes(check_expression(draft, "x", "formula", "1")) == ["builder_expr_unknown_module"]
    assert codes(check_expression(draft, "m", "eval", "1")) == ["builder_expr_unknown_where"]
    assert codes(check_expression(draft, "m", "formula", "1", table="qty")) == [
        "builder_expr_unknown_table"
    ]
