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
    return isinstance(value, Number) and not isinstance(value, bool)


def _length(limit: int, longest: bool) -> Check:
    def check(value: Any) -> bool:
        text = _text(value)
        return text is None or (len(text) <= limit if longest else len(text) >= limit)

    return check


def _pattern(source: str) -> Check:
    compiled = re.compile(source)

    def check(value: Any) -> bool:
        text = _text(value)
        return text is None or compiled.search(text) is not None

    return check


def _bound(keyword: str, limit: Any) -> Check:
    holds: Callable[[Any], bool] = {
        "minimum": lambda v: not v < limit,
        "maximum": lambda v: not v > limit,
        "exclusiveMinimum": lambda v: not v <= limit,
        "exclusiveMaximum": lambda v: not v >= limit,
    }[keyword]
    return lambda value: not _is_number(value) or holds(value)


def _size(limit: int, largest: bool) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        return len(value) <= limit if largest else len(value) >= limit

    return check


def _unique(on: bool) -> Check:
    whole = Draft202012Validator({"uniqueItems": True})

    def check(value: Any) -> bool:
        if not on or not isinstance(value, list):
            return True
        if all(type(item) is str for item in value):
            return len(set(value)) == len(value)
        return whole.is_valid(json_ready(value))

    return check


def _items(schema: Mapping[str, Any]) -> Check:
    each = _compile(schema)

    def check(value: Any) -> bool:
        if isinstance(value, list):
            for item in value:
                if not each(item):
                    return False
        return True

    return check


def _properties(properties: Mapping[str, Any]) -> Check:
    checks = tuple((name, _compile(sub)) for name, sub in properties.items())

    def check(value: Any) -> bool:
        if not isinstance(value, Mapping):
            return True
        for name, each in checks:
            found = value.get(name)
            if found is not None and not each(found):
                return False
        return True

    return check


COMPILED: Mapping[str, Callable[[Any], Check]] = {
    "minLength": lambda v: _length(v, longest=False),
    "maxLength": lambda v: _length(v, longest=True),
    "pattern": _pattern,
    "minimum": lambda v: _bound("minimum", v),
    "maximum": lambda v: _bound("maximum", v),
    "exclusiveMinimum": lambda v: _bound("exclusiveMinimum", v),
    "exclusiveMaximum": lambda v: _bound("exclusiveMaximum", v),
    "minItems": lambda v: _size(v, largest=False),
    "maxItems": lambda v: _size(v, largest=True),
    "uniqueItems": _unique,
    "properties": _properties,
}


def _whole(schema: Mapping[str, Any]) -> Check:
    """A subschema checked by jsonschema itself (keywords not compiled here)."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return lambda value: validator.is_valid(json_ready(value))


def _compile(schema: Any) -> Check:
    if schema is True or schema == {}:
        return lambda value: True
    if not isinstance(schema, Mapping):
        return _whole(schema)
    keywords = {k: v for k, v in schema.items() if k not in NOTES}
    simple = all(
        k in COMPILED or (k == "items" and isinstance(v, Mapping)) for k, v in keywords.items()
    )
    if not simple or ("properties" in keywords and not isinstance(keywords["properties"], Mapping)):
        return _whole(schema)
    checks = tuple(
        _items(v) if k == "items" else COMPILED[k](v)
        for k, v in keywords.items()
        if k not in ("minLength", "maxLength") or isinstance(v, int)
    )
    if len(checks) != len(keywords):
        return _whole(schema)
    if len(checks) == 1:
        return checks[0]

    def every(value: Any) -> bool:
        for check in checks:  # noqa: SIM110  # a loop: no generator made per value
            if not check(value):
                return False
        return True

    return every


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
        return _properties(properties)
    except re.error:
        return None  # a pattern Python cannot read: the full validator says what it says
