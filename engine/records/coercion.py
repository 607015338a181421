"""Form and API input → typed values, through marshmallow schemas built from the module.

Each module gets one marshmallow schema class per compiled version (cached), whose fields
come from the field-kind registry. Unknown keys, computed fields and system values in the
payload are refused by name; errors come back as JSON Pointers (`/items/0/hours`).
When some values are malformed, the ones that did coerce are still checked against the
module's constraints (`further_problems`), so one answer names every problem of a request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from marshmallow import RAISE, Schema, ValidationError, fields

from engine.definitions.model import Field, Module
from engine.errors import Problem, ValidationFailed
from engine.input_errors import UNKNOWN, CodedErrors, CodedNested, problems_from, schema_problem
from engine.kinds.standard import TABLE
from engine.records.compute import _json_ready, missing_required, record_validator
from engine.records.plain_input import PlainInput, plain_input

SYSTEM_KEYS = (
    "id",
    "number",
    "state",
    "owner",
    "version",
    "module_version",
    "created_at",
    "updated_at",
)

_schemas: WeakKeyDictionary[Module, Schema] = WeakKeyDictionary()


class CoercionFailed(ValidationFailed):
    """Malformed input; `coerced` keeps the values that did coerce, for `further_problems`."""

    def __init__(self, problems: list[Problem], coerced: Mapping[str, Any]):
        super().__init__(problems)
        self.coerced = dict(coerced)


class ChildRows(CodedErrors, fields.List[Any]):
    """A child table: a list of row objects."""

    default_error_messages = {"invalid": "Expected a list of rows."}
    error_codes = {"invalid": "not_a_list"}
    error_params = {"items": "rows"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value in ("", None):
            return []
        return super()._deserialize(value, attr, data, **kwargs)


class InputSchema(Schema):
    """Refuses unknown keys with a coded message."""

    error_messages = {"unknown": UNKNOWN}


def _schema_class(name: str, field_list: tuple[Field, ...]) -> type[Schema]:
    declared: dict[str, Any] = {}
    for f in field_list:
        if f.computed:
            continue
        if f.kind_type is TABLE:
            child = _schema_class(f"{name}_{f.name}", f.children)
            declared[f.name] = ChildRows(CodedNested(child, unknown=RAISE), allow_none=True)
        else:
            declared[f.name] = f.kind_type.input_field(f)
    return InputSchema.from_dict(declared, name=name)


def input_schema(module: Module) -> Schema:
    """The module's input schema, built once: loading never mutates it, so it is shared."""
    schema = _schemas.get(module)
    if schema is None:
        schema = _schema_class(f"{module.id}_input", module.fields)(unknown=RAISE, partial=True)
        _schemas[module] = schema
    return schema


def _refusals(module: Module, data: Mapping[str, Any], writable: Set[str] | None) -> list[Problem]:
    problems = []
    for key in data:
        f = module.field(key)
        if key in SYSTEM_KEYS and f is None:
            problems.append(Problem(f"/{key}", "system_field", {"field": key}))
        elif f is None:
            problems.append(Problem(f"/{key}", "unknown_field", {"field": key}))
        elif f.computed:
            problems.append(Problem(f"/{key}", "computed_field", {"field": key}))
        elif f.read_only:
            problems.append(Problem(f"/{key}", "read_only_field", {"field": key}))
        elif writable is not None and key not in writable:
            problems.append(Problem(f"/{key}", "field_not_writable", {"field": key}))
        elif f.kind_type is TABLE and isinstance(data[key], list):
            for index, row in enumerate(data[key]):
                if not isinstance(row, Mapping):
                    continue
                for column in row:
                    child = f.child_map.get(column)
                    if child is not None and child.computed:
                        problems.append(
                            Problem(
                                f"/{key}/{index}/{column}",
                                "computed_field",
                                {"field": column},
                            )
                        )
    return problems


def coerce_input(module: Module, data: Any, writable: Set[str] | None = None) -> dict[str, Any]:
    """Typed values for the fields present in `data`; ValidationFailed lists every problem.

    A clean record takes the module's compiled plan (engine/records/plain_input.py), which
    gives the same values; any other goes through the marshmallow schema."""
    key = frozenset(writable) if writable is not None else None
    values = _plan(module, key).coerce(data)
    return values if values is not None else coerce_with_schema(module, data, writable)


@lru_cache(maxsize=1024)
def _plan(module: Module, writable: frozenset[str] | None) -> PlainInput:
    """The module's compiled coercion for a writer of `writable` fields, built once."""
    return plain_input(module, input_schema(module), writable)


def coerce_with_schema(
    module: Module, data: Any, writable: Set[str] | None = None
) -> dict[str, Any]:
    """`coerce_input` through the marshmallow schema: the general path, which words every
    problem, and the reference the compiled plan agrees with."""
    schema = input_schema(module)
    if not isinstance(data, Mapping):
        raise ValidationFailed([Problem("", "not_an_object")])
    problems = _refusals(module, data, writable)
    computed = {f.name for f in module.fields if f.computed}
    clean = {k: v for k, v in data.items() if module.field(k) is not None and k not in computed}
    for key, f in ((k, module.field(k)) for k in clean):
        if f is not None and f.kind_type is TABLE and isinstance(clean[key], list):
            clean[key] = [
                {
                    c: v
                    for c, v in row.items()
                    if not (f.child_map.get(c) and f.child_map[c].computed)
                }
                if isinstance(row, Mapping)
                else row
                for row in clean[key]
            ]
    try:
        values = schema.load(clean)
    except ValidationError as exc:
        problems.extend(problems_from(exc.messages))
        values = exc.valid_data if isinstance(exc.valid_data, Mapping) else {}
    if problems:
        raise CoercionFailed(problems, values)
    return dict(values)


def further_problems(module: Module, failed: ValidationFailed, data: Any = None) -> list[Problem]:
    """What else is wrong beside the malformed values, so one answer names every problem.

    The constraints (minimum, length, pattern, sizes...) broken by the values that did
    coerce, and, given the raw `data` of a new record, the required fields it lacks. A
    place already reported, or inside one, is not reported twice; fields `show_if` may
    hide are left to the full check.
    """
    reported = {p.path for p in failed.problems}
    found = missing_required(module, data) if data is not None else []
    coerced = failed.coerced if isinstance(failed, CoercionFailed) else {}
    document = _json_ready(
        {
            k: v
            for k, v in coerced.items()
            if (f := module.field(k)) is not None
            and f.rollup is None
            and k not in module.ui.show_if
        }
    )
    found.extend(schema_problem(error) for error in record_validator(module).iter_errors(document))
    return [
        p for p in found if not any(p.path == r or p.path.startswith(r + "/") for r in reported)
    ]


def coerce_items(
    module: Module,
    items: Sequence[Any],
    writable: frozenset[str],
    problems: list[tuple[int, Problem]],
) -> list[tuple[int, dict[str, Any]]]:
    """Each valid item's typed values with the field defaults; problems of the rest, by index."""
    defaults = {
        f.name: coerce_input(module, {f.name: f.default})[f.name]
        for f in module.fields
        if f.default is not None and not f.computed
    }
    coerced: list[tuple[int, dict[str, Any]]] = []
    for index, data in enumerate(items):
        try:
            values = coerce_input(module, data, writable)
        except ValidationFailed as exc:
            # say at once what is missing or out of bounds too, not only what is malformed
            further = further_problems(module, exc, data)
            problems.extend((index, p) for p in [*exc.problems, *further])
            continue
        for name, default in defaults.items():
            values.setdefault(name, default)
        coerced.append((index, values))
    return coerced
