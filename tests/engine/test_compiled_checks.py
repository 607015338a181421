"""The compiled record constraints answer exactly what jsonschema answers, and a record that
breaks one is reported with jsonschema's own problems."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.actor import actor
from engine.definitions import load_pack
from engine.definitions.model import Module
from engine.errors import ValidationFailed
from engine.records.compute import prepare_values, record_validator
from engine.records.plain_checks import json_ready, schema_check

SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEE = actor("lee", "admin")

PACK: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "bounds",
    "version": "1.0.0",
    "title": {"en": "Bounds", "zh-CN": "约束"},
    "modules": [
        {
            "id": "bounded",
            "title": {"en": "Bounded", "zh-CN": "约束"},
            "schema": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]+$", "maxLength": 8},
                    "name": {"type": "string", "minLength": 2, "maxLength": 5},
                    "mail": {"type": "string", "format": "email"},
                    "day": {"type": "string", "format": "date", "maxLength": 10},
                    "size": {"type": "integer", "minimum": 1, "exclusiveMaximum": 10},
                    "ratio": {"type": "number", "x-scale": 2, "exclusiveMinimum": 0, "maximum": 1},
                    "tags": {
                        "type": "array",
                        "items": {"enum": ["a", "b", "c"]},
                        "uniqueItems": True,
                        "minItems": 1,
                        "maxItems": 2,
                    },
                    "lines": {
                        "type": "array",
                        "maxItems": 3,
                        "items": {
                            "type": "object",
                            "properties": {
                                "task": {"type": "string", "maxLength": 4},
                                "hours": {"type": "number", "x-scale": 1, "minimum": 0},
                                "on": {"type": "string", "format": "date"},
                            },
                        },
                    },
                },
            },
        }
    ],
}
MODULE: Module = load_pack(PACK).modules[0]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-20, max_value=20),
    st.sampled_from([0, 1, 9, 10, Decimal("0.00"), Decimal("0.01"), Decimal("1.00"), 1.5]),
    st.sampled_from(["a", "ab", "abcd", "abcde", "abcdef", "AB-1234", "AB-12345"]),
    st.decimals(min_value=-3, max_value=3, places=2),
    st.text(max_size=10),
    st.sampled_from(["AB-12", "AB-123456", "ab-1", "lee@example.com", "not mail", "é" * 5]),
    st.dates(),
    st.datetimes(),
)
lines = st.lists(
    st.one_of(
        st.fixed_dictionaries({}, optional={"task": scalars, "hours": scalars, "on": scalars}),
        scalars,
    ),
    max_size=5,
)
values = st.fixed_dictionaries(
    {},
    optional={
        "code": scalars,
        "name": scalars,
        "mail": scalars,
        "day": scalars,
        "size": scalars,
        "ratio": scalars,
        "tags": st.one_of(st.lists(st.sampled_from(["a", "b", "c", 1, True]), max_size=3), scalars),
        "lines": st.one_of(lines, scalars),
        "other": scalars,
    },
)


def errors(record: dict[str, Any]) -> list[tuple[str, str]]:
    document = json_ready({k: v for k, v in record.items() if MODULE.field(k) is not None})
    found = record_validator(MODULE).iter_errors(document)
    return sorted(("/".join(map(str, e.absolute_path)), str(e.validator)) for e in found)


@SETTINGS
@given(values)
@example({"tags": [1, True]})  # jsonschema tells 1 from true
@example({"lines": [{"task": "abcde"}, None]})
@example({"day": dt.datetime(2026, 3, 1, 8, 0)})  # read as its ISO text: too long
@example({"ratio": Decimal("0.00"), "size": 10})
@example({"ratio": Decimal("1.00"), "size": 1, "name": "ab", "code": "AB-12345"})
def test_the_compiled_check_passes_exactly_the_records_jsonschema_passes(
    record: dict[str, Any],
) -> None:
    check = schema_check(MODULE)
    assert check is not None
    assert check(record) == (errors(record) == [])


def test_a_schema_the_checks_do_not_compile_is_left_to_jsonschema() -> None:
    """A pack cannot say `$ref` today, nor more of a record than its properties; if a
    compiler ever wrote either, the full validator would run for every record."""
    referring = {**MODULE.record_schema, "$defs": {}}
    whole = {**MODULE.record_schema, "minProperties": 1}
    for schema in (referring, whole):
        assert schema_check(dataclasses.replace(MODULE, record_schema=schema)) is None


def test_a_record_out_of_bounds_gets_jsonschemas_problems() -> None:
    record = {"code": "ab-1", "size": 10, "lines": [{"task": "pour", "hours": Decimal("-1.0")}]}
    try:
        prepare_values(MODULE, dict(record), {"$state": None}, LEE)
    except ValidationFailed as exc:
        found = sorted((p.path, p.code) for p in exc.problems)
    assert found == [
        ("/code", "pattern"),
        ("/lines/0/hours", "minimum"),
        ("/size", "exclusiveMaximum"),
    ]
