"""A module's record constraints: its JSON Schema reduced, at compile time, to what coercion
does not already check, and its `validations` (rules over the whole record, each with the
message a refusal shows instead of the expression).

Marshmallow enforces types, choices and dates when input is coerced; the JSON Schema pass
over a record keeps only the constraints it adds (ranges, lengths, patterns, sizes...), which
makes it cheap. Rollups are left out (they are not stored), and so is `required` (checked by
name, taking `show_if` and `required_if` into account). The compiled module carries the
result, so nothing downstream reads the pack's raw schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from engine.errors import ExpressionError, Problem
from engine.expressions import Expression, parse, truthy
from engine.i18n import localize

COERCED_KEYWORDS = frozenset(
    {"type", "enum", "required", "title", "description", "default", "readOnly", "$schema"}
    | {"unique"}  # enforced by the module's UNIQUE index (engine/records/uniqueness.py)
)
COERCED_FORMATS = frozenset({"date", "date-time"})


@dataclass(frozen=True)
class Validation:
    """A rule every written record must meet: `when` must hold, else `message` is shown.

    `fields` place the refusal beside those fields (the whole record when empty); without a
    message the reader gets a generic sentence, never the expression.
    """

    when: Expression
    message: Any = None  # localized text (engine.i18n); None: the generic sentence
    fields: tuple[str, ...] = ()
    rows: str | None = None  # a child table: `when` holds for each of its rows (row_rules.py)


def compile_validations(raw: Iterable[Mapping[str, Any]]) -> tuple[Validation, ...]:
    """The module's `validations`, parsed once (their checks run at import)."""
    return tuple(
        Validation(
            when=parse(item["when"]),
            message=_frozen_text(item.get("message")),
            fields=tuple(item.get("fields", ())),
            rows=item.get("rows"),
        )
        for item in raw
    )


def _frozen_text(value: Any) -> Any:
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) else value


def record_constraints(schema: Mapping[str, Any], rollups: Iterable[str]) -> dict[str, Any]:
    """The constraints of `schema` a record is checked against, without the `rollups`."""
    reduced = dict(_constraints(schema))
    properties = dict(reduced.get("properties", {}))
    for name in rollups:
        properties.pop(name, None)
    if properties:
        reduced["properties"] = properties
    else:
        reduced.pop("properties", None)
    return reduced


def _constraints(schema: Any) -> Any:
    if not isinstance(schema, Mapping):
        return schema
    pruned: dict[str, Any] = {}
    for key, value in schema.items():
        if key in COERCED_KEYWORDS or key.startswith("x-"):
            continue
        if key == "format" and value in COERCED_FORMATS:
            continue
        if key == "properties":
            kept = {name: _constraints(sub) for name, sub in value.items()}
            kept = {name: sub for name, sub in kept.items() if sub}
            if kept:
                pruned[key] = kept
        elif key == "items":
            sub = _constraints(value)
            if sub:
                pruned[key] = sub
        else:
            pruned[key] = value
    return pruned


def validation_problems(
    module_id: str, validations: Iterable[Validation], env: Mapping[str, Any]
) -> list[Problem]:
    """A problem at each field of every validation `env` (a record's values) does not meet.

    A validation that comes out null (a value it reads is empty) does not refuse: what
    must be filled is `required`'s to say. One that cannot be evaluated refuses. Rules over
    each row of a child table (`rows`) are checked where linked records can be read
    (engine/records/row_rules.py).
    """
    problems: list[Problem] = []
    for validation in validations:
        if validation.rows is None and broken_rule(validation, env):
            problems += rule_refusals(module_id, validation, "")
    return problems


def broken_rule(validation: Validation, env: Mapping[str, Any]) -> bool:
    """Whether `env` breaks the rule: false or not computable (null does not refuse)."""
    try:
        result = validation.when.evaluate(dict(env))
    except ExpressionError:
        return True
    return result is not None and not truthy(result)


def rule_refusals(module_id: str, validation: Validation, base: str) -> list[Problem]:
    """The refusal of a broken rule at each of its fields under `base` (`/lines/2`), or at
    `base` itself when it names none."""
    if validation.message is None:
        code, params = "rule_failed", {"module": module_id}
    else:
        english = localize(validation.message, "en")
        code, params = "rule_message", {"message": english, "texts": validation.message}
    return [Problem(p, code, params) for p in [f"{base}/{f}" for f in validation.fields] or [base]]
