"""Properties: whatever text or values come in, the only failure is an ExpressionError."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import ExpressionError
from engine.expressions import FUNCTIONS, Expression, check_types, parse
from engine.sqltypes import ExactDecimal

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = ["a", "b", "c", "items", "project", "user"]
PATHS = ["a", "b", "c", "items", "items.x", "project.name", "project.x.y", "user.roles"]
SYSTEM = ["$state", "$owner", "$created_at", "$number"]
TOKENS = [
    *PATHS, *SYSTEM, *FUNCTIONS, "(", ")", "[", "]", ",", ".", "+", "-", "*", "/", "%", "**",
    "==", "!=", "<", "<=", ">", ">=", " and ", " or ", " not ", " in ", " if ", " else ",
    "0", "1", "2.50", "1e400", "-3", "'x'", "'2026-03-01'", "''", "true", "false", "null",
    "$", "_", "__", "'", '"', "\\", "\n", " ", "#", "lambda", ":", "=", "{", "}", "@", "~",
    "f'", "0x1", "1j", "...", ";",
]  # fmt: skip

token_soup = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)


@SETTINGS
@given(st.one_of(st.text(max_size=200), token_soup))
def test_parse_returns_an_expression_or_raises_expression_error(source: str) -> None:
    try:
        expr = parse(source)
    except ExpressionError as exc:
        assert exc.position is None or 0 <= exc.position <= len(source)
        return
    assert isinstance(expr, Expression)


# --- random values ---------------------------------------------------------------------------

zones = st.sampled_from(
    [None, dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-11))]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-1000, max_value=1000),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**6), max_value=10**6, places=2),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["2026-03-01", "2026-03-01T08:00:00+08:00", "x" * 6000, "a"]),
    st.dates(),
    st.datetimes(timezones=zones),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["x", "y", "name", "roles"]), inner, max_size=3),
    ),
    max_leaves=12,
)
envs = st.fixed_dictionaries({name: values for name in NAMES} | {name: values for name in SYSTEM})


# --- random valid expressions ----------------------------------------------------------------

literals = st.one_of(
    st.sampled_from(["0", "1", "-1", "2.50", "0.1", "100", "true", "false", "null"]),
    st.sampled_from(["'x'", "''", "'2026-03-01'", "'rebar'"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)
leaves = st.one_of(literals, st.sampled_from(PATHS + SYSTEM))


def _calls(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(name: str, data: st.DataObject) -> str:
        spec = FUNCTIONS[name]
        upper = spec.max_args if spec.max_args is not None else spec.min_args + 2
        count = data.draw(st.integers(spec.min_args, upper))
        args = [data.draw(inner) for _ in range(count)]
        return f"{name}({', '.join(args)})"

    return st.builds(build, st.sampled_from(sorted(FUNCTIONS)), st.data())


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda op, x: f"({op}({x}))", st.sampled_from(["-", "+", "not "]), inner),
        st.builds(
            lambda x, op, y: f"({x} {op} {y})",
            inner,
            st.sampled_from(["+", "-", "*", "/", "%", "and", "or"]),
            inner,
        ),
        st.builds(
            lambda x, op, y: f"({x} {op} {y})",
            inner,
            st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"]),
            inner,
        ),
        st.builds(lambda x, y, z: f"({x} < {y} <= {z})", inner, inner, inner),
        st.builds(lambda x, c, y: f"({x} if {c} else {y})", inner, inner, inner),
        st.lists(inner, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
        _calls(inner),
    )


valid_sources = st.recursive(leaves, _extend, max_leaves=25)


def parsed(source: str) -> Expression | None:
    try:
        return parse(source)
    except ExpressionError as exc:  # only size limits may refuse a generated expression
        assert "parts" in exc.message or "levels" in exc.message or "digits" in exc.message
        return None


@SETTINGS
@given(valid_sources)
def test_generated_expressions_parse(source: str) -> None:
    expr = parsed(source)
    if expr is not None:
        assert expr.source == source


@SETTINGS
@given(valid_sources, envs, st.datetimes(timezones=zones))
def test_evaluate_returns_or_raises_expression_error(
    source: str, env: dict[str, Any], now: dt.datetime
) -> None:
    expr = parsed(source)
    if expr is None:
        return
    try:
        result = expr.evaluate(env, now=now)
    except ExpressionError as exc:
        assert exc.position is None or 0 <= exc.position <= len(source)
        return
    assert not isinstance(result, float)
    if isinstance(result, str):
        assert len(result) <= 10_000 or result in (str(v) for v in env.values())


@SETTINGS
@given(st.one_of(st.text(max_size=60), token_soup), envs)
def test_evaluate_of_any_parsed_text_returns_or_raises_expression_error(
    source: str, env: dict[str, Any]
) -> None:
    try:
        expr = parse(source)
        expr.evaluate(env)
    except ExpressionError:
        pass


KINDS = [None, "number", "integer", "text", "boolean", "date", "datetime", "list", "object", "any"]


@SETTINGS
@given(valid_sources, st.dictionaries(st.sampled_from(PATHS + SYSTEM), st.sampled_from(KINDS)))
def test_check_types_only_returns_messages(source: str, kinds: dict[str, str | None]) -> None:
    expr = parsed(source)
    if expr is None:
        return
    found = check_types(expr, lambda path: kinds.get(".".join(path)))
    assert all(isinstance(message, str) and message for message in found)


TABLE = Table(
    "t",
    MetaData(),
    Column("a", Integer),
    Column("b", ExactDecimal(2)),
    Column("c", Text),
    Column("items", Date),
    Column("project", Boolean),
    Column("state", String(40)),
)


def _resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
    name = "state" if path[0].startswith("$") else path[0]
    if len(path) > 1 or name not in TABLE.c:
        raise ExpressionError(code="expr_not_in_database", name=".".join(path))
    return TABLE.c[name]


@SETTINGS
@given(valid_sources, st.booleans())
@example("a < (state in [])", False)  # ordered against the constant false of an empty list
def test_to_sql_returns_sql_or_raises_expression_error(source: str, aggregate: bool) -> None:
    expr = parsed(source)
    if expr is None:
        return
    try:
        element = expr.to_sql(_resolve, aggregate=aggregate)
    except ExpressionError:
        return
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert str(element.compile(dialect=dialect))


def test_decimal_literal_strategy_keeps_exact_values() -> None:
    assert parse("2.50").evaluate({}) == Decimal("2.50")
