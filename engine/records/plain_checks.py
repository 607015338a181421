"""A module's record constraints compiled once into plain checks: is a record certainly valid?

`record_schema` (engine/definitions/constraints.py) keeps the JSON Schema keywords coercion
does not check: lengths, ranges, patterns, sizes. Walking it with jsonschema costs a bulk
load dearly, although almost every record meets it. `schema_check(module)` compiles the
schema once per compiled module into nested functions that answer one question — does the
record meet every constraint? — over the record's values as they are (dates read as their
ISO text, absent and null values skipped, exactly as the JSON document jsonschema is given).

Each compiled keyword does what jsonschema's keyword function does (type-guarded the same
way: a length only of text, a bound only of a number). A subschema holding any keyword not
compiled here is checked whole by a jsonschema validator of its own; a schema that refers
elsewhere (`$ref`...) is not compiled at all. Only when the answer is no does the caller
run the module's full validator, whose errors are the problems: a valid record costs a few
comparisons, an invalid one is worded exactly as before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import lru_cache
from numbers import Number
from typing import Any

from jsonschema import Draft202012Validator

from engine.definitions.model import Module

Check = Callable[[Any], bool]

# Keywords whose meaning depends on other keywords or on other places of the schema.
REFERRING = frozenset({"$ref", "$dynamicRef", "$defs", "$id", "$anchor", "$dynamicAnchor"})
NOTES = frozenset({"$comment", "examples", "deprecated", "readOnly", "writeOnly"})


def json_ready(value: Any) -> Any:
    """The value as the JSON document jsonschema reads carries it: dates (and date-times) as
    ISO text, mappings without their null values."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: json_ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    return value


def _text(value: Any) -> str | None:
    """The text a string keyword reads: text itself, or a date's ISO form."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def _is_number(value: Any) -> bool:
    kind = type(value)
    if kind is Decimal or kind is int:
        return True
    return isinstance(value, Number) and not isinstance(value, bool)


def _all(tests: tuple[Check, ...]) -> Check:
    """One test, or every one of several."""
    if len(tests) == 1:
        return tests[0]

    def every(value: Any) -> bool:
        for test in tests:  # noqa: SIM110  # a loop: no generator made per value
            if not test(value):
                return False
        return True

    return every


# Each keyword compiles to a test of a value of the type it applies to; `_family` guards the
# type once for all the keywords of one subschema that read it, as jsonschema's guard each.
TEXT: Mapping[str, Callable[[Any], Check]] = {
    "minLength": lambda limit: lambda text: len(text) >= limit,
    "maxLength": lambda limit: lambda text: len(text) <= limit,
    "pattern": lambda source: _pattern(source),
}
NUMBER: Mapping[str, Callable[[Any], Check]] = {
    "minimum": lambda limit: lambda number: not number < limit,
    "maximum": lambda limit: lambda number: not number > limit,
    "exclusiveMinimum": lambda limit: lambda number: not number <= limit,
    "exclusiveMaximum": lambda limit: lambda number: not number >= limit,
}
ARRAY: Mapping[str, Callable[[Any], Check]] = {
    "minItems": lambda limit: lambda items: len(items) >= limit,
    "maxItems": lambda limit: lambda items: len(items) <= limit,
    "uniqueItems": lambda on: _unique if on else (lambda items: True),
    "items": lambda schema: _items(_compile(schema)),
}
OBJECT: Mapping[str, Callable[[Any], Check]] = {"properties": lambda p: _properties(p)}


def _pattern(source: str) -> Check:
    search = re.compile(source).search  # jsonschema: `re.search(pattern, instance)`
    return lambda text: search(text) is not None


def _unique(items: list[Any]) -> bool:
    if all(type(item) is str for item in items):
        return len(set(items)) == len(items)
    return bool(_UNIQUE.is_valid(json_ready(items)))


_UNIQUE = Draft202012Validator({"uniqueItems": True})


def _items(each: Check) -> Check:
    def check(items: list[Any]) -> bool:
        for item in items:  # noqa: SIM110  # a loop: no generator made per value
            if not each(item):
                return False
        return True

    return check


def _properties(properties: Mapping[str, Any]) -> Check:
    checks = tuple((name, _compile(sub)) for name, sub in properties.items())

    def check(record: Mapping[str, Any]) -> bool:
        for name, each in checks:
            found = record.get(name)
            if found is not None and not each(found):
                return False
        return True

    return check


def _family(kind: str, tests: tuple[Check, ...]) -> Check:
    """The tests of one type, run on a value of that type (any other value passes them)."""
    test = _all(tests)
    if kind == "text":
        return lambda value: (text := _text(value)) is None or test(text)
    if kind == "number":
        return lambda value: not _is_number(value) or test(value)
    if kind == "array":
        return lambda value: not isinstance(value, list) or test(value)
    return lambda value: not isinstance(value, Mapping) or test(value)


FAMILIES = {"text": TEXT, "number": NUMBER, "array": ARRAY, "object": OBJECT}


def _whole(schema: Any) -> Check:
    """A subschema checked by jsonschema itself (keywords not compiled here)."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return lambda value: bool(validator.is_valid(json_ready(value)))


def _fits(keyword: str, value: Any) -> bool:
    """Whether a keyword's value is one the compiled test reads as jsonschema does."""
    if keyword in ("minLength", "maxLength", "minItems", "maxItems"):
        return type(value) is int
    if keyword in NUMBER:
        return _is_number(value)
    if keyword in ("items", "properties"):
        return isinstance(value, Mapping)
    return keyword != "pattern" or isinstance(value, str)


def _compile(schema: Any) -> Check:
    if schema is True or schema == {}:
        return lambda value: True
    if not isinstance(schema, Mapping):
        return _whole(schema)
    keywords = {k: v for k, v in schema.items() if k not in NOTES}
    tests: dict[str, list[Check]] = {}
    for keyword, value in keywords.items():
        kind = next((name for name, table in FAMILIES.items() if keyword in table), None)
        if kind is None or not _fits(keyword, value):
            return _whole(schema)
        tests.setdefault(kind, []).append(FAMILIES[kind][keyword](value))
    return _all(tuple(_family(kind, tuple(found)) for kind, found in tests.items()))


def _refers(schema: Any) -> bool:
    if isinstance(schema, Mapping):
        return any(k in REFERRING or _refers(v) for k, v in schema.items())
    if isinstance(schema, list):
        return any(_refers(v) for v in schema)
    return False


@lru_cache(maxsize=256)
def schema_check(module: Module) -> Check | None:
    """Whether a record's values (field → value) certainly meet the module's record
    constraints; None when the schema is not compiled (it refers elsewhere, or says more
    of the whole record than its `properties`, which read only the fields they name)."""
    schema = module.record_schema
    properties = schema.get("properties", {})
    whole_record = any(k != "properties" and k not in NOTES for k in schema)
    if _refers(schema) or whole_record or not isinstance(properties, Mapping):
        return None
    try:
        return _family("object", (_properties(properties),))
    except re.error:
        return None  # a pattern Python cannot read: the full validator says what it says
