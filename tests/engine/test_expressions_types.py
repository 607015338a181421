"""Type checks at import time: clashes that would fail on every record are reported."""

from __future__ import annotations

import pytest

from engine.expressions import check_types, infer_type, parse

FIELDS = {
    ("hours",): "number",
    ("rate",): "number",
    ("days",): "integer",
    ("worker",): "text",
    ("date",): "date",
    ("approved_at",): "datetime",
    ("overtime",): "boolean",
    ("items",): "list",
    ("items", "amount"): "number",
    ("items", "trade"): "text",
    ("project",): "text",
    ("project", "name"): "any",
    ("$state",): "text",
    ("user", "roles"): "list",
}


def problems(source: str) -> list[str]:
    return check_types(parse(source), FIELDS.get)


@pytest.mark.parametrize(
    "source",
    [
        "hours * rate",
        "hours > 8 and overtime",
        "days + 1 > hours",
        "date >= '2026-01-01'",
        "approved_at > date",
        "worker + ' (' + $state + ')'",
        "sum(items.amount) > 100",
        "count(items) > 0 and len(worker) < 40",
        "$state in ['draft', 'rejected']",
        "'rebar' in items.trade",
        "'pm' in user.roles",
        "round(hours * rate, 2)",
        "days_between(date, today()) > 3",
        "month(date) == '2026-03'",
        "coalesce(hours, 0) * rate",
        "project.name == 'Riverside' or project.name == 3",
        "missing_field + 'x'",
        "hours == null",
        "concat(worker, ': ', hours, ' on ', date)",
    ],
)
def test_sound_expressions_have_no_problems(source: str) -> None:
    assert problems(source) == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("hours == 'abc'", "'hours' is a number; cannot compare it with text 'abc'"),
        ("'abc' < hours", "'hours' is a number; cannot compare it with text 'abc'"),
        ("date > 'soon'", "'date' is a date; cannot compare it with text 'soon'"),
        ("worker > 3", "'worker' is a text; cannot compare it with number 3"),
        ("overtime < true", "'overtime' is a boolean; '<' cannot order booleans"),
        ("worker - 1", "'worker' is a text; '-' needs numbers"),
        ("hours + worker", "'hours' is a number; cannot add it to 'worker' (text)"),
        ("date * date", "'date' is a date; '*' needs numbers (use days_between(a, b) for days)"),
        ("-worker", "'worker' is a text; '-' needs a number"),
        ("year(hours)", "'hours' is a number; year() needs a date"),
        ("days_between(date, 'x')", "text 'x': days_between() needs a date"),
        ("sum(items.trade)", "'items.trade' holds texts; sum() needs numbers"),
        ("avg(worker)", "'worker' is a text; avg() needs a number"),
        ("len(hours)", "'hours' is a number; len() needs a text or a list"),
        ("abs(worker)", "'worker' is a text; abs() needs a number"),
        ("round(hours, worker)", "'worker' is a text; round() needs a whole number of places"),
        ("concat(items)", "'items' is a list; concat() needs plain values, not lists or records"),
        ("hours in ['a', 'b']", "'hours' is a number; cannot compare it with text 'a'"),
        ("'x' in hours", "'hours' is a number; 'in' needs a list or a text on its right"),
        ("hours in items.trade", "'hours' is a number; cannot be found in 'items.trade'"),
        (
            "max(items.amount) > 'x'",
            "'max(items.amount)' gives a number; cannot compare it with text 'x'",
        ),
    ],
)
def test_certain_clashes_are_reported(source: str, message: str) -> None:
    found = problems(source)
    assert len(found) == 1
    assert found[0].startswith(message)


def test_every_clash_is_reported_once() -> None:
    assert problems("hours == 'a' or hours == 'a' or worker - 1 > 0") == [
        "'hours' is a number; cannot compare it with text 'a'",
        "'worker' is a text; '-' needs numbers",
    ]


def test_a_failing_type_lookup_counts_as_unknown() -> None:
    def type_of(path: tuple[str, ...]) -> str | None:
        raise KeyError(path)

    assert check_types(parse("a == 'x' and b - 1 > 0"), type_of) == []


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("hours * rate", "number"),
        ("days * 2", "integer"),
        ("days / 2", "number"),
        ("worker + '!'", "text"),
        ("hours > 8", "boolean"),
        ("sum(items.amount)", "number"),
        ("count(items)", "integer"),
        ("month(date)", "text"),
        ("year(date)", "integer"),
        ("today()", "date"),
        ("now()", "datetime"),
        ("round(hours)", "integer"),
        ("round(hours, 2)", "number"),
        ("hours if overtime else 0", "number"),
        ("coalesce(worker, '-')", "text"),
        ("max(items.trade)", "text"),
        ("[1, 2]", "list"),
        ("unknown_name", None),
        ("hours if overtime else 'x'", None),
    ],
)
def test_the_kind_of_result_is_inferred(source: str, kind: str | None) -> None:
    assert infer_type(parse(source), FIELDS.get) == kind
