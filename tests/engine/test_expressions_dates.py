"""Date arithmetic, `add_days`, `add_months`, `week`, `floor` and `ceil`: what the evaluator
gives, what the type check refuses, and the same answers from SQLite and PostgreSQL over many
dates (month ends, leap days, ISO week edges) — run with TEST_DATABASE_URL set for the latter.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Table,
    create_engine,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import ExpressionError
from engine.expressions import infer_type, parse, type_clashes
from engine.sqltypes import ExactDecimal

UTC = dt.UTC


def run(source: str, **env: Any) -> Any:
    return parse(source).evaluate(env)


# --- the evaluator -------------------------------------------------------------------------


def test_a_date_moves_by_whole_days_and_dates_subtract_to_days() -> None:
    day = dt.date(2026, 3, 1)
    assert run("date + 14", date=day) == dt.date(2026, 3, 15)
    assert run("date - 7", date=day) == dt.date(2026, 2, 22)
    assert run("14 + date", date=day) == dt.date(2026, 3, 15)
    assert run("date + 1.0", date=day) == dt.date(2026, 3, 2)
    assert run("a - b", a=dt.date(2024, 3, 1), b=dt.date(2024, 2, 1)) == 29
    assert run("a - b", a=dt.date(2024, 2, 1), b=dt.date(2024, 3, 1)) == -29


def test_a_datetime_plus_days_keeps_its_time_of_day() -> None:
    moment = dt.datetime(2024, 2, 28, 23, 30, 5, 7, tzinfo=UTC)
    assert run("t + 1", t=moment) == dt.datetime(2024, 2, 29, 23, 30, 5, 7, tzinfo=UTC)
    assert run("add_days(t, -29)", t=moment) == dt.datetime(2024, 1, 30, 23, 30, 5, 7, tzinfo=UTC)
    assert run("t - d", t=moment, d=dt.date(2024, 2, 1)) == 27


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2025-01-31", 1, dt.date(2025, 2, 28)),
        ("2024-01-31", 1, dt.date(2024, 2, 29)),
        ("2024-02-29", 12, dt.date(2025, 2, 28)),
        ("2024-03-31", -1, dt.date(2024, 2, 29)),
        ("2024-05-31", 1, dt.date(2024, 6, 30)),
        ("2024-12-15", 1, dt.date(2025, 1, 15)),
        ("2024-01-15", -13, dt.date(2022, 12, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start: str, months: int, expected: Any) -> None:
    assert run("add_months(d, m)", d=dt.date.fromisoformat(start), m=months) == expected


def test_week_floor_and_ceil() -> None:
    assert run("week(d)", d=dt.date(2021, 1, 3)) == 53  # ISO: still the last week of 2020
    assert run("week(d)", d=dt.date(2024, 12, 30)) == 1
    assert run("week('2026-03-02')") == 10
    assert run("floor(x)", x=Decimal("-2.5")) == -3
    assert run("ceil(x)", x=Decimal("-2.5")) == -2
    assert run("ceil(x)", x=Decimal("2.000000000000000000000000000001")) == 3
    assert run("floor(7)") == 7
    assert isinstance(run("floor(x)", x=Decimal("3.7")), int)


@pytest.mark.parametrize(
    "source",
    ["d + n", "d - n", "add_days(d, n)", "add_months(d, n)", "week(d)", "floor(n)", "ceil(n)"],
)
def test_null_in_gives_null_out(source: str) -> None:
    assert run(source, d=None, n=None) is None
    if "d" in source and "n" in source:
        assert run(source, d=dt.date(2026, 1, 1), n=None) is None


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("add_days(d, 1000000000)", "expr_date_out_of_range"),
        ("d + 1000000000000000000000", "expr_date_out_of_range"),
        ("d - 3000000", "expr_date_out_of_range"),
        ("add_months(d, 100000)", "expr_date_out_of_range"),
        ("add_months(d, -100000000)", "expr_date_out_of_range"),
        ("d + 1.5", "expr_shift_not_whole"),
        ("add_days(d, 'x')", "expr_shift_not_whole"),
        ("d + 'x'", "expr_arithmetic_kinds"),
        ("d * 2", "expr_arithmetic_kinds"),
        ("floor('x')", "expr_function_needs_number"),
        ("week(3)", "expr_expected_date"),
    ],
)
def test_out_of_range_and_wrong_kinds_are_coded_errors(source: str, code: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        run(source, d=dt.date(2026, 1, 31))
    assert caught.value.problem.code == code
    assert caught.value.position is not None


# --- the type check --------------------------------------------------------------------------

TYPES = {"d": "date", "t": "datetime", "s": "text", "n": "integer", "x": "number"}


def type_of(path: tuple[str, ...]) -> str | None:
    return TYPES.get(path[0])


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("d + 14", "date"),
        ("d - n", "date"),
        ("14 + d", "date"),
        ("t + 1", "datetime"),
        ("d - d", "integer"),
        ("add_days(d, 3)", "date"),
        ("add_months(t, n)", "datetime"),
        ("week(d)", "integer"),
        ("floor(x)", "integer"),
        ("ceil(x) + 1", "integer"),
    ],
)
def test_types_of_date_arithmetic(source: str, kind: str) -> None:
    expr = parse(source)
    assert type_clashes(expr, type_of) == []
    assert infer_type(expr, type_of) == kind


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("d + s", "d"),
        ("7 - d", "d"),
        ("d * 2", "d"),
        ("add_days(n, 3)", "n"),
        ("add_months(d, s)", "s"),
        ("week(x)", "x"),
        ("floor(d)", "d"),
    ],
)
def test_type_clashes_name_the_part(source: str, shown: str) -> None:
    clashes = type_clashes(parse(source), type_of)
    assert len(clashes) == 1
    assert clashes[0].params["subject_name"] == shown


# --- SQL gives what Python gives ---------------------------------------------------------------


def _dates() -> list[dt.date]:
    picked = {dt.date(2000, 2, 29), dt.date(1900, 2, 28), dt.date(2100, 2, 28)}
    for year in (2020, 2021, 2023, 2024, 2025, 2026, 2027):
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            picked |= {first, first - dt.timedelta(days=1), first + dt.timedelta(days=27)}
        picked |= {dt.date(year, 12, d) for d in range(28, 32)}
        picked |= {dt.date(year, 1, d) for d in range(1, 5)}
    rng = random.Random(14)
    picked |= {dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(20_000)) for _ in range(80)}
    return sorted(picked)


def _rows() -> list[dict[str, Any]]:
    rng = random.Random(6)
    rows = []
    for index, day in enumerate(_dates()):
        rows.append(
            {
                "id": index + 1,
                "d": day,
                "e": dt.date(2024, 2, 29) + dt.timedelta(days=rng.randrange(-900, 900)),
                "t": dt.datetime.combine(day, dt.time(23, 30, 5, 123456), tzinfo=UTC),
                "n": rng.choice(
                    [0, 1, -1, 7, 14, -30, 31, 365, -366, 1000, rng.randrange(-9999, 9999)]
                ),
                "m": rng.choice([0, 1, -1, 2, 11, 12, -12, 13, 25, -40, 1200]),
                "a": Decimal(rng.randrange(-100_000, 100_000)).scaleb(-2),
                "big": 10**9 if index % 17 == 0 else index,
            }
        )
    rows.append({"id": len(rows) + 1, "d": None, "e": None, "t": None, "n": None, "m": None,
                 "a": None, "big": None})  # fmt: skip
    return rows


ROWS = _rows()
DATABASES = ["sqlite"] + (["other"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="module", params=DATABASES)
def db(request: pytest.FixtureRequest) -> Iterator[tuple[Connection, Table]]:
    url = "sqlite://" if request.param == "sqlite" else os.environ["TEST_DATABASE_URL"]
    engine = create_engine(url)
    metadata = MetaData()
    table = Table(
        f"dates_test_{uuid.uuid4().hex[:10]}",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("d", Date),
        Column("e", Date),
        Column("t", DateTime(timezone=True)),
        Column("n", BigInteger),
        Column("m", BigInteger),
        Column("a", ExactDecimal(2)),
        Column("big", BigInteger),
    )
    metadata.create_all(engine)
    try:
        with engine.begin() as connection:
            connection.execute(table.insert(), ROWS)
        with engine.connect() as connection:
            yield connection, table
    finally:
        metadata.drop_all(engine)
        engine.dispose()


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


SAME_IN_SQL = [
    "d + n",
    "d - n",
    "n + d",
    "d + 14",
    "d - 7",
    "d - e",
    "add_days(d, n)",
    "add_days(d, big)",
    "d + big",
    "add_months(d, m)",
    "add_months(d, 1)",
    "add_months(d, -1)",
    "add_months(e, 12)",
    "add_months(d, big)",
    "week(d)",
    "week(e)",
    "floor(a)",
    "ceil(a)",
    "floor(n)",
    "ceil(a / 3)",
    "t + n",
    "add_days(t, -n)",
    "add_months(t, m)",
    "days_between(e, d + 14)",
    "t - e",
    "week(t)",
]


@pytest.mark.parametrize("source", SAME_IN_SQL)
def test_sql_gives_the_evaluators_answer(db: tuple[Connection, Table], source: str) -> None:
    connection, table = db
    expr = parse(source)
    value = expr.to_sql(lambda path: table.c[path[0]]).label("v")
    got = {r.id: _aware(r.v) for r in connection.execute(select(table.c.id, value))}
    for row in ROWS:
        try:
            expected = expr.evaluate(row)
        except ExpressionError as exc:  # a database cannot fail one row: it gives NULL
            assert exc.problem.code == "expr_date_out_of_range", exc
            expected = None
        assert got[row["id"]] == expected, (source, row, got[row["id"]])


@pytest.mark.parametrize(
    "source",
    ["d + 14 < '2024-03-01'", "add_months(d, 1) == '2024-02-29'", "week(d) == 53", "d - e > 30"],
)
def test_sql_filters_select_what_the_evaluator_accepts(
    db: tuple[Connection, Table], source: str
) -> None:
    connection, table = db
    expr = parse(source)
    condition: ColumnElement[Any] = expr.to_sql(lambda path: table.c[path[0]])
    got = set(connection.execute(select(table.c.id).where(condition)).scalars())
    assert got == {row["id"] for row in ROWS if expr.evaluate(row)}
    assert got  # the filter selects something, so the comparison means something


def test_sql_refuses_a_shift_by_a_fraction() -> None:
    table = Table("t", MetaData(), Column("d", Date), Column("a", ExactDecimal(2)))
    for source in ("add_days(d, a)", "d + 1.5"):
        with pytest.raises(ExpressionError) as caught:
            parse(source).to_sql(lambda path: table.c[path[0]])
        assert caught.value.problem.code in ("expr_sql_whole_shift", "expr_shift_not_whole")
