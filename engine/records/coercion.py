"""Form and API input → typed values, through marshmallow schemas built from the module.

Each module gets one marshmallow schema class per compiled version (cached), whose fields
come from the field-kind registry. Unknown keys, computed fields and system values in the
payload are refused by name; errors come back as JSON Pointers (`/items/0/hours`).
When some values are malformed, the ones that did coerce are still checked against the
module's constraints (`further_problems`), so one answer names every problem of a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

from marshmallow import RAISE, Schema, ValidationError, fields

from engine.definitions.model import Field, Module
from engine.errors import Problem, ValidationFailed
from engine.fields import KINDS
from engine.records.compute import _json_ready, missing_required, record_validator

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


class ChildRows(fields.List):
    """A child table: a list of row objects."""

    default_error_messages = {"invalid": "Expected a list of rows."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value in ("", None):
            return []
        return super()._deserialize(value, attr, data, **kwargs)


def _schema_class(name: str, field_list: tuple[Field, ...]) -> type[Schema]:
    declared: dict[str, Any] = {}
    for f in field_list:
        if f.computed:
            continue
        if f.kind == "table":
            child = _schema_class(f"{name}_{f.name}", f.children)
            declared[f.name] = ChildRows(fields.Nested(child, unknown=RAISE), allow_none=True)
        else:
            declared[f.name] = KINDS[f.kind].input_field(f)
    return Schema.from_dict(declared, name=name)


def input_schema(module: Module) -> Schema:
    """The module's input schema, built once: loading never mutates it, so it is shared."""
    schema = _schemas.get(module)
    if schema is None:
        schema = _schema_class(f"{module.id}_input", module.fields)(unknown=RAISE, partial=True)
        _schemas[module] = schema
    return schema


def _flatten(messages: Any, path: str = "") -> list[Problem]:
    if isinstance(messages, Mapping):
        problems = []
        for key, value in messages.items():
            problems.extend(_flatten(value, f"{path}/{key}" if key != "_schema" else path))
        return problems
    if isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            return [Problem(path, m) for m in messages]
        problems = []
        for value in messages:
            problems.extend(_flatten(value, path))
        return problems
    return [Problem(path, str(messages))]


def _refusals(module: Module, data: Mapping[str, Any], writable: set[str] | None) -> list[Problem]:
    problems = []
    for key in data:
        f = module.field(key)
        if key in SYSTEM_KEYS and f is None:
            problems.append(Problem(f"/{key}", f"{key!r} is a system value and cannot be written"))
        elif f is None:
            problems.append(Problem(f"/{key}", f"unknown field {key!r}"))
        elif f.computed:
            problems.append(Problem(f"/{key}", f"{key!r} is computed and cannot be written"))
        elif f.read_only:
            problems.append(Problem(f"/{key}", f"{key!r} is read-only"))
        elif writable is not None and key not in writable:
            problems.append(Problem(f"/{key}", f"you may not write {key!r}"))
        elif f.kind == "table" and isinstance(data[key], list):
            for index, row in enumerate(data[key]):
                if not isinstance(row, Mapping):
                    continue
                for column in row:
                    child = f.child_map.get(column)
                    if child is not None and child.computed:
                        problems.append(
                            Problem(
                                f"/{key}/{index}/{column}",
                                f"{column!r} is computed and cannot be written",
                            )
                        )
    return problems


def coerce_input(module: Module, data: Any, writable: set[str] | None = None) -> dict[str, Any]:
    """Typed values for the fields present in `data`; ValidationFailed lists every problem."""
    if not isinstance(data, Mapping):
        raise ValidationFailed([Problem("", "record data must be an object")])
    problems = _refusals(module, data, writable)
    clean = {
        k: v
        for k, v in data.items()
        if module.field(k) is not None and not module.field(k).computed
    }
    for key, f in ((k, module.field(k)) for k in clean):
        if f is not None and f.kind == "table" and isinstance(clean[key], list):
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
        values = input_schema(module).load(clean)
    except ValidationError as exc:
        problems.extend(_flatten(exc.messages))
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
    for error in record_validator(module).iter_errors(document):
        path = "".join(f"/{part}" for part in error.absolute_path)
        found.append(Problem(path, error.message))
    return [
        p for p in found if not any(p.path == r or p.path.startswith(r + "/") for r in reported)
    ]
