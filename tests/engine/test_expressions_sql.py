"""SQL translation, checked for real: the database must agree with the evaluator row by row.

Runs on in-memory SQLite; when TEST_DATABASE_URL is set, also on that database (a uniquely
named table, dropped afterwards).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import ExpressionError
from engine.expressions import parse, truthy
from engine.sqltypes import ExactDecimal

ROWS: list[dict[str, Any]] = [
    {"id": 1, "d": dt.date(2026, 1, 15), "n": 3, "a": Decimal("12.50"), "s": "rebar",
     "b": True, "state": "approved"},
    {"id": 2, "d": dt.date(2026, 2, 1), "n": 0, "a": Decimal("0.00"), "s": "", "b": False,
     "state": "draft"},
    {"id": 3, "d": dt.date(2026, 2, 28), "n": -7, "a": Decimal("-3.25"), "s": "formwork",
     "b": None, "state": "submitted"},
    {"id": 4, "d": None, "n": None, "a": None, "s": None, "b": None, "state": "draft"},
    {"id": 5, "d": dt.date(2025, 12, 31), "n": 10, "a": Decimal("100.00"), "s": "Rebar",
     "b": True, "state": "approved"},
    {"id": 6, "d": dt.date(2026, 3, 1), "n": 8, "a": Decimal("8.13"), "s": "concrete",
     "b": False, "state": "rejected"},
]  # fmt: skip

DATABASES = ["sqlite"] + (["other"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=DATABASES)
def db(request: pytest.FixtureRequest) -> Iterator[tuple[Connection, Table]]:
    url = "sqlite://" if request.param == "sqlite" else os.environ["TEST_DATABASE_URL"]
    engine = create_engine(url)
    metadata = MetaData()
    table = Table(
        f"expr_test_{uuid.uuid4().hex[:10]}",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("d", Date),
        Column("n", Integer),
        Column("a", ExactDecimal(2)),
        Column("s", Text),
        Column("b", Boolean),
        Column("state", String(40)),
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


def resolver(table: Table) -> Any:
    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        if path == ("$state",):
            return table.c.state
        if path == ("user", "id"):
            return bindparam("user_id", "u1", type_=String())
        if path == ("user", "roles"):
            return bindparam("user_roles", ["pm", "foreman"])
        if len(path) == 1 and path[0] in table.c:
            return table.c[path[0]]
        raise ExpressionError(code="expr_not_in_database", name=".".join(path))

    return resolve


def env_of(row: dict[str, Any]) -> dict[str, Any]:
    env = {key: value for key, value in row.items() if key != "state"}
    env["$state"] = row["state"]
    env["user"] = {"id": "u1", "roles": ["pm", "foreman"]}
    return env


def same(from_sql: Any, from_python: Any) -> bool:
    """Equal, allowing for SQLite computing decimals as binary floats."""
    if isinstance(from_sql, int | Decimal | float) and not isinstance(from_sql, bool):
        if not isinstance(from_python, int | Decimal) or isinstance(from_python, bool):
            return False
        return abs(Decimal(str(from_sql)) - Decimal(from_python)) < Decimal("1e-9")
    return from_sql == from_python


WHERE = [
    "n > 2",
    "a > 8.5",
    "a > 8.125",
    "a >= 12.5 or n < 0",
    "n * a > 10",
    "a / 2 > 4",
    "d >= '2026-02-01'",
    "d < '2026-02-01' and d != null",
    "d == null",
    "s != null and not b",
    "not (n > 3)",
    "n != 3",
    "n == 3",
    "s == 'rebar'",
    "s != 'rebar'",
    "s in ['rebar', 'concrete']",
    "s not in ['rebar', 'concrete']",
    "s in ['rebar', null]",
    "n in [1, 2, 3.0]",
    "n not in [0]",
    "$state == 'approved'",
    "$state in ['draft', 'rejected'] and n >= 0",
    "s and n",
    "not s",
    "b",
    "not b",
    "b == true",
    "b != false",
    "0 <= n < 9",
    "(n if b else 0) > 2",
    "coalesce(n, 5) == 5",
    "year(d) == 2026",
    "month(d) == '2026-02'",
    "days_between(d, '2026-03-01') < 30",
    "len(s) > 5",
    "abs(n) > 5",
    "round(a, 0) == 13",
    "n % 4 == 3",
    "-n > 0",
    "a - n > 5",
    "s + '!' == 'rebar!'",
    "concat(s, '-', n) == 'rebar-3'",
    "n > 0 and 1 == 1",
    "'x' in ['x'] and n > 8",
    "$state == 'draft' or 2 > 3",
    "s == 5",
    "s != 5",
    "user.id == 'u1' and n > 3",
    "'pm' in user.roles and n == 3",
    "$state in user.roles",
    "(d if b else '2020-01-01') < '2026-01-01'",
]


@pytest.mark.parametrize("source", WHERE)
def test_filters_select_the_rows_the_evaluator_accepts(
    db: tuple[Connection, Table], source: str
) -> None:
    connection, table = db
    expr = parse(source)
    condition = expr.to_sql(resolver(table))
    got = connection.execute(select(table.c.id).where(condition).order_by(table.c.id))
    expected = [row["id"] for row in ROWS if truthy(expr.evaluate(env_of(row)))]
    assert [r.id for r in got] == expected


VALUES = [
    "n",
    "a",
    "n * 2",
    "n * a",
    "a * 2",
    "a + 1",
    "a + a",
    "-a",
    "n / 4",
    "a / n",
    "n % 4",
    "a % 2",
    "n + 0.5",
    "1 + 2 * 3",
    "coalesce(n, 0)",
    "coalesce(a, 1.5)",
    "coalesce(s, 'none')",
    "abs(a)",
    "abs(n)",
    "round(a * 3, 1)",
    "round(n / 3, 2)",
    "year(d)",
    "month(d)",
    "days_between(d, '2026-03-01')",
    "days_between('2026-01-01', d)",
    "len(s)",
    "s + '!'",
    "concat(s, ':', n)",
    "concat('#', $state)",
    "'big' if n > 5 else 'small'",
    "n if b else -1",
    "a if b else 0",
    "d if b else null",
]


@pytest.mark.parametrize("source", VALUES)
def test_values_match_the_evaluator(db: tuple[Connection, Table], source: str) -> None:
    connection, table = db
    expr = parse(source)
    value = expr.to_sql(resolver(table)).label("v")
    got = {r.id: r.v for r in connection.execute(select(table.c.id, value))}
    for row in ROWS:
        try:
            expected = expr.evaluate(env_of(row))
        except ExpressionError as exc:  # a database cannot fail one row: it gives NULL
            assert exc.message == "division by zero"
            expected = None
        assert same(got[row["id"]], expected), (row["id"], got[row["id"]], expected)


def test_number_results_come_back_as_decimals(db: tuple[Connection, Table]) -> None:
    connection, table = db
    value = parse("a * n / 2").to_sql(resolver(table))
    results = [v for v in connection.execute(select(value)).scalars() if v is not None]
    assert results and all(isinstance(v, Decimal) for v in results)


AGGREGATES = [
    ("sum(a)", "sum", "a"),
    ("sum(n)", "sum", "n"),
    ("sum(n * a)", "sum", "n * a"),
    ("avg(n)", "avg", "n"),
    ("avg(a)", "avg", "a"),
    ("min(a)", "min", "a"),
    ("max(d)", "max", "d"),
    ("min(s)", "min", "s"),
    ("count(a)", "count", "a"),
]


@pytest.mark.parametrize(("source", "function", "inner"), AGGREGATES)
def test_aggregates_match_the_evaluator(
    db: tuple[Connection, Table], source: str, function: str, inner: str
) -> None:
    connection, table = db
    measure = parse(source).to_sql(resolver(table), aggregate=True)
    got = connection.execute(select(measure)).scalar_one()
    column = [parse(inner).evaluate(env_of(row)) for row in ROWS]
    expected = parse(f"{function}(x)").evaluate({"x": column})
    assert same(got, expected), (got, expected)


def test_exact_sums_of_decimals(db: tuple[Connection, Table]) -> None:
    connection, table = db
    total = parse("sum(a)").to_sql(resolver(table), aggregate=True)
    assert connection.execute(select(total)).scalar_one() == Decimal("117.38")


def test_sums_and_differences_of_decimals_keep_their_cents_on_every_backend(
    db: tuple[Connection, Table],
) -> None:
    """`sum(a - n)` (a decimal less a whole number) and `a + a` read back with two places, as
    a money column does, not as SQLite's REAL would give them (74920000.0)."""
    connection, table = db
    resolve = resolver(table)
    difference = parse("sum(a - n + a)").to_sql(resolve, aggregate=True)
    got = connection.execute(select(difference)).scalar_one()
    # 22.00 + 0.00 + 0.50 + 190.00 + 8.26 (the empty row counts nothing)
    assert str(got) == "220.76"
    doubled = parse("a + a").to_sql(resolve)
    rows = connection.execute(select(doubled).order_by(table.c.id)).scalars().all()
    assert [str(v) if v is not None else None for v in rows] == [
        "25.00", "0.00", "-6.50", None, "200.00", "16.26",
    ]  # fmt: skip


def test_sum_of_no_rows_is_zero_and_count_counts_rows(db: tuple[Connection, Table]) -> None:
    connection, table = db
    resolve = resolver(table)
    measures = [parse(m).to_sql(resolve, aggregate=True) for m in ("sum(a)", "count()", "avg(n)")]
    nothing = connection.execute(select(*measures).where(table.c.id < 0)).one()
    assert nothing == (0, 0, None)
    everything = connection.execute(select(*measures)).one()
    assert everything[1] == len(ROWS)


def test_report_grouped_by_month(db: tuple[Connection, Table]) -> None:
    connection, table = db
    resolve = resolver(table)
    month = parse("month(d)").to_sql(resolve).label("month")
    amount = parse("sum(a)").to_sql(resolve, aggregate=True).label("amount")
    lines = parse("count()").to_sql(resolve, aggregate=True).label("lines")
    where = parse("$state != 'rejected'").to_sql(resolve)
    query = select(month, lines, amount).where(where).group_by(month)
    got = sorted((tuple(r) for r in connection.execute(query)), key=lambda r: r[0] or "")
    assert got == [
        (None, 1, 0),
        ("2025-12", 1, Decimal("100.00")),
        ("2026-01", 1, Decimal("12.50")),
        ("2026-02", 2, Decimal("-3.25")),
    ]


def test_measures_combine_aggregates(db: tuple[Connection, Table]) -> None:
    connection, table = db
    measure = parse("sum(a) / count(a)").to_sql(resolver(table), aggregate=True)
    assert same(connection.execute(select(measure)).scalar_one(), Decimal("117.38") / 5)


def test_year_and_month_compile_per_dialect() -> None:
    from sqlalchemy import column

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        return column(path[0], Date)

    month = parse("month(d)").to_sql(resolve)
    year = parse("year(d)").to_sql(resolve)
    assert str(month.compile(dialect=postgresql.dialect())) == "to_char(d, 'YYYY-MM')"
    assert "EXTRACT(YEAR FROM d)" in str(year.compile(dialect=postgresql.dialect()))
    assert str(month.compile(dialect=sqlite.dialect())) == "strftime('%Y-%m', d)"
    assert "strftime('%Y', d)" in str(year.compile(dialect=sqlite.dialect()))


@pytest.mark.parametrize(
    ("source", "aggregate", "message", "position"),
    [
        ("today() > d", False, "today() cannot be computed in SQL", 0),
        ("n > 1 and now() > d", False, "now() cannot be computed in SQL", 10),
        ("items.amount > 1", False, "'items.amount' cannot be computed in the database", 0),
        ("sum(a)", False, "report measures and rollups only", 0),
        ("a + 1", True, "'a' must be inside an aggregate", 0),
        ("sum(max(a))", True, "cannot be inside another aggregate", 4),
        ("sum([1, 2])", True, "not over a written-out list", 0),
        ("[n, 1]", False, "written-out values", 0),
        ("[1, 2]", False, "no SQL form", None),
        ("n in s", False, "'in' needs a list written out", 0),
        ("s < 5", False, "cannot compare a text with number 5", 0),
        ("s * 2", False, "'*' needs a number, got a text", 0),
        ("n + 'x'", False, "'+' needs two numbers or two texts", 0),
        ("round(a, n)", False, "places written out", 0),
        ("max(n, a)", True, "takes one value", 0),
        ("1 / 0", False, "division by zero", 0),
    ],
)
def test_what_sql_cannot_express_is_an_expression_error(
    source: str, aggregate: bool, message: str, position: int | None
) -> None:
    table = Table(
        "t",
        MetaData(),
        Column("n", Integer),
        Column("a", ExactDecimal(2)),
        Column("s", Text),
        Column("d", Date),
        Column("state", String(40)),
    )
    with pytest.raises(ExpressionError) as caught:
        parse(source).to_sql(resolver(table), aggregate=aggregate)
    assert message in caught.value.message
    if position is not None:
        assert caught.value.position == position
