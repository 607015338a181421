"""The compiled coercion of a module gives what the marshmallow schema gives, value for value.

Whatever a form, the API or an import hands over, the plan either settles the record with
exactly the values (same keys, order, types and digits) the general path gives, or leaves it
to the general path, which then words the problems as it always did.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.definitions import load_pack
from engine.definitions.model import Module
from engine.errors import ValidationFailed
from engine.records.coercion import coerce_input, coerce_with_schema, input_schema
from engine.records.plain_input import plain_input

SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PACK: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "kinds",
    "version": "1.0.0",
    "title": {"en": "Every kind", "zh-CN": "各种字段"},
    "modules": [
        {
            "id": "sheet",
            "title": {"en": "Sheet", "zh-CN": "表"},
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 20},
                    "count": {"type": "integer", "minimum": 0},
                    "price": {"type": "number", "x-scale": 2, "x-format": "money"},
                    "weight": {"type": "number", "x-scale": 0},
                    "trade": {"enum": ["rebar", "formwork", "1"]},
                    "level": {"type": "integer", "enum": [1, 2, 3]},
                    "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}},
                    "day": {"type": "string", "format": "date"},
                    "at": {"type": "string", "format": "date-time"},
                    "done": {"type": "boolean"},
                    "parent": {"type": "string", "x-ref": "sheet"},
                    "owner_name": {"type": "string", "x-user": True},
                    "watchers": {"type": "array", "items": {"type": "string", "x-user": True}},
                    "stars": {"type": "integer", "x-rating": 5},
                    "scan": {"type": "string", "x-file": True},
                    "fixed": {"type": "string", "readOnly": True},
                    "lines": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "task": {"type": "string"},
                                "hours": {"type": "number", "x-scale": 1},
                                "kind": {"enum": ["x", "y"]},
                                "on": {"type": "string", "format": "date"},
                                "ok": {"type": "boolean"},
                                "total": {"type": "number", "x-scale": 1, "x-formula": "hours"},
                            },
                        },
                    },
                    "hours": {"type": "number", "x-scale": 1, "x-formula": "sum(lines.hours)"},
                },
            },
        }
    ],
}
MODULE: Module = load_pack(PACK).modules[0]
WRITABLE = frozenset(f.name for f in MODULE.fields) - {"done", "scan"}

texts = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["", " ", "\x00", "rebar", "formwork", "1", "a", "b", "x", "lee", " 12 "]),
    st.sampled_from(["2026-03-01", "20260301", "2026-02-30", "2026-03-01T08:00:00+08:00"]),
    st.sampled_from(["1,200.50", "1e3", "1e400", "NaN", "12.345", "-0", "true", "no", "on"]),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-5, max_value=5),
    st.sampled_from([10**18 - 1, 10**18, -(10**18), 2**63 - 1, 2**63, -(2**63)]),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3),
    st.sampled_from([Decimal("1.50"), Decimal("1.5"), Decimal("2E+1"), Decimal("-0.00")]),
    st.floats(allow_nan=True),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    texts,
    numbers,
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
    st.just(object()),
)
rows = st.one_of(
    st.dictionaries(
        st.sampled_from(["task", "hours", "kind", "on", "ok", "total", "nope"]), scalars, max_size=5
    ),
    scalars,
)
values = st.one_of(
    scalars,
    st.lists(st.one_of(texts, scalars), max_size=4),
    st.tuples(texts, texts),
    st.lists(rows, max_size=3),
    st.dictionaries(st.sampled_from(["task", "x"]), scalars, max_size=2),
)
short_text = st.one_of(st.text(max_size=25), st.sampled_from(["", "lee", "a\x00b"]))
some_dates = st.one_of(st.dates(), st.datetimes(), st.dates().map(str), texts)
line = st.fixed_dictionaries(
    {},
    optional={
        "task": short_text,
        "hours": st.one_of(st.decimals(places=1, min_value=0, max_value=24), numbers, texts),
        "kind": st.sampled_from(["x", "y", "z", "", None]),
        "on": some_dates,
        "ok": st.one_of(st.booleans(), st.none(), texts),
    },
)
# records that are mostly well formed, so that the plan settles many of them
likely = st.fixed_dictionaries(
    {},
    optional={
        "name": short_text,
        "count": st.one_of(st.integers(), texts),
        "price": st.one_of(st.decimals(places=2, allow_nan=False), numbers, texts),
        "weight": st.one_of(st.integers(min_value=-(10**19), max_value=10**19), numbers),
        "trade": st.sampled_from(["rebar", "formwork", "1", 1, "", None, "steel"]),
        "level": st.sampled_from([1, 2, 3, "2", 4, True, None, "", 2.0]),
        "tags": st.one_of(st.lists(st.sampled_from(["a", "b", "c", "d", 1]), max_size=4), texts),
        "day": some_dates,
        "at": st.one_of(st.datetimes(timezones=st.sampled_from([None, dt.UTC])), texts),
        "done": st.one_of(st.booleans(), st.none(), texts, numbers),
        "parent": short_text,
        "owner_name": short_text,
        "watchers": st.one_of(st.lists(short_text, max_size=3), short_text, st.none()),
        "stars": st.one_of(st.integers(min_value=-1, max_value=7), texts, st.none()),
        "scan": short_text,
        "lines": st.one_of(st.lists(line, max_size=3), st.none(), st.just(""), texts),
    },
)
plain_text = st.text(st.characters(blacklist_characters="\x00"), max_size=12)
amounts = st.one_of(
    st.decimals(places=2, min_value=-(10**17), max_value=10**17),
    st.decimals(places=1, min_value=-100, max_value=100),
    st.integers(min_value=-(10**17), max_value=10**17),
)
# records every value of which is well formed, in the many shapes callers hand them over
clean = st.fixed_dictionaries(
    {},
    optional={
        "name": plain_text,
        "count": st.integers(min_value=-(2**62), max_value=2**62),
        "price": amounts,
        "weight": st.one_of(st.integers(min_value=-(10**17), max_value=10**17), st.just("")),
        "trade": st.sampled_from(["rebar", "formwork", "1", "", None]),
        "level": st.sampled_from([1, 2, 3, "2", None, ""]),
        "tags": st.lists(st.sampled_from(["a", "b", "c"]), unique=True),
        "day": st.one_of(st.dates(), st.dates().map(str), st.none()),
        "at": st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
        "done": st.one_of(st.booleans(), st.none()),
        "parent": plain_text,
        "owner_name": plain_text,
        "watchers": st.lists(st.sampled_from(["lee", "wang", "zhao"]), unique=True),
        "stars": st.integers(min_value=1, max_value=5),
        "scan": plain_text,
        "lines": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "task": plain_text,
                    "hours": st.decimals(places=1, min_value=-(10**16), max_value=10**16),
                    "kind": st.sampled_from(["x", "y", ""]),
                    "on": st.dates(),
                    "ok": st.booleans(),
                },
            ),
            max_size=3,
        ),
    },
)
field_names = [f.name for f in MODULE.fields]
keys = st.one_of(st.sampled_from(field_names), st.sampled_from(["id", "number", "unknown", 3]))
records = st.one_of(
    clean,
    clean,
    clean,
    likely,
    st.dictionaries(keys, values, max_size=8),
    st.dictionaries(st.sampled_from(field_names), values, max_size=6),
    st.lists(scalars, max_size=2),
    scalars,
)


def shape(value: Any) -> Any:
    """A value with its type and digits spelled out: Decimal('1.5') is not Decimal('1.50')."""
    if isinstance(value, dict):
        return ("dict", [(k, shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [shape(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(coerce: Any) -> Any:
    """What a caller sees: the values, the problems, or an error that is not a refusal (a
    signalling NaN from a Python caller, which JSON cannot send, breaks both paths alike)."""
    try:
        return ("values", shape(coerce()))
    except ValidationFailed as exc:
        return ("refused", sorted((p.path, p.code) for p in exc.problems))
    except ArithmeticError as exc:
        return ("raised", type(exc).__name__)


@SETTINGS
@given(records, st.sampled_from([None, WRITABLE]))
@example({"name": "a", "price": Decimal("1.5"), "lines": [{"hours": 2, "kind": "x"}]}, None)
@example({"price": 12, "weight": Decimal("2E+1"), "level": "2", "trade": "1"}, None)
@example({"tags": ["a", "a"], "done": True}, WRITABLE)
@example({"lines": [{"total": 1}]}, None)
@example({"count": False, "level": Decimal("sNaN")}, None)
def test_the_plan_gives_what_the_schema_gives(data: Any, writable: frozenset[str] | None) -> None:
    general = outcome(lambda: coerce_with_schema(MODULE, data, writable))
    plan = plain_input(MODULE, input_schema(MODULE), writable)
    settled = outcome(lambda: plan.coerce(data))
    if settled != ("values", shape(None)):  # None: left to the general path
        assert settled == general
    assert outcome(lambda: coerce_input(MODULE, data, writable)) == general


def test_a_clean_tally_is_settled_by_the_plan_with_the_schemas_values() -> None:
    data = {
        "name": "North wall",
        "count": 3,
        "price": Decimal("42.5"),
        "weight": 7,
        "trade": "rebar",
        "tags": ["b", "a"],
        "day": "2026-03-02",
        "at": "2026-03-02T08:00:00+08:00",
        "done": False,
        "parent": "0190abc",
        "owner_name": "lee",
        "watchers": ["lee", "wang"],
        "stars": 4,
        "lines": [{"task": "tie bars", "hours": Decimal("2.5"), "kind": "x", "ok": True}],
        "scan": "",
    }
    settled = plain_input(MODULE, input_schema(MODULE), None).coerce(data)
    assert settled is not None
    assert shape(settled) == shape(coerce_with_schema(MODULE, data))
    assert settled["price"] == Decimal("42.50") and str(settled["price"]) == "42.50"
    assert settled["day"] == dt.date(2026, 3, 2) and settled["scan"] is None


def test_what_the_plan_leaves_is_refused_by_the_general_path_with_every_problem() -> None:
    data = {"name": "x" * 3, "price": "1.234", "fixed": "no", "lines": [{"total": 2}], "id": "1"}
    assert plain_input(MODULE, input_schema(MODULE), None).coerce(data) is None
    with pytest.raises(ValidationFailed) as caught:
        coerce_input(MODULE, data)
    assert sorted((p.path, p.code) for p in caught.value.problems) == [
        ("/fixed", "read_only_field"),
        ("/id", "system_field"),
        ("/lines/0/total", "computed_field"),
        ("/price", "decimal_places"),
    ]
