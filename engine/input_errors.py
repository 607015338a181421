"""Marshmallow's errors with their keys kept, so each becomes a coded Problem.

marshmallow raises `self.make_error("invalid")` from a `default_error_messages` table and
hands back only the formatted sentence. Fields that mix in `CodedErrors` keep the key: each
message they raise is a `Coded` string (still the sentence, for marshmallow and for anyone
printing it) that also carries the engine's code (engine/codes.py) and the parameters the
sentence was made from. `problems_from` turns marshmallow's nested messages into Problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast

from jsonschema.exceptions import ValidationError as SchemaError
from marshmallow import ValidationError, fields

from engine.codes import SCHEMA
from engine.errors import Problem


class Coded(str):
    """A marshmallow message that remembers its code and parameters."""

    code: str
    params: Mapping[str, Any]

    def __new__(cls, text: str, code: str, params: Mapping[str, Any] | None = None) -> Coded:
        self = super().__new__(cls, text)
        self.code = code
        self.params = dict(params or {})
        return self


class CodedErrors:
    """Mix into a marshmallow field: its `make_error(key)` raises a `Coded` message.

    `error_codes` maps the field's error keys to engine codes; `required` and `null` are
    shared by every field. A key with no code travels as `invalid` with its sentence.
    """

    error_codes: ClassVar[Mapping[str, str]] = {}
    error_params: ClassVar[Mapping[str, Any]] = {}

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        error: ValidationError = super().make_error(key, **kwargs)  # type: ignore[misc]  # a mixin: the marshmallow Field follows it in the MRO
        code = {"required": "required", "null": "required", **self.error_codes}.get(key)
        params = {**self.error_params, **kwargs}
        messages: list[Any] = (
            error.messages if isinstance(error.messages, list) else [error.messages]
        )
        error.messages = [
            Coded(m, code, params) if code else Coded(m, "invalid", {"detail": m}) for m in messages
        ]
        return error


class CodedNested(CodedErrors, fields.Nested):
    """A child row: an object, never another type."""

    error_codes = {"type": "not_an_object"}


UNKNOWN = Coded("Unknown field.", "unknown_field")


def problem_of(message: Any, path: str) -> Problem:
    """One marshmallow message as a Problem at `path`."""
    if isinstance(message, Coded):
        return Problem(path, message.code, {"field": path.rsplit("/", 1)[-1], **message.params})
    return Problem(path, "invalid", {"detail": str(message)})


def problems_from(messages: Any, path: str = "") -> list[Problem]:
    """Marshmallow's nested error messages as Problems with JSON Pointers."""
    if isinstance(messages, Mapping):
        problems = []
        for key, value in messages.items():
            problems.extend(problems_from(value, f"{path}/{key}" if key != "_schema" else path))
        return problems
    if isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            return [problem_of(m, path) for m in messages]
        problems = []
        for value in messages:
            problems.extend(problems_from(value, path))
        return problems
    return [problem_of(messages, path)]


def schema_problem(error: SchemaError) -> Problem:
    """A jsonschema error as a Problem, coded by its keyword (`error.validator`).

    `required` points at the missing property itself, like every other problem of a field.
    """
    path = "".join(f"/{part}" for part in error.absolute_path)
    keyword = str(error.validator)
    if keyword == "required" and isinstance(error.instance, Mapping):
        required = cast("list[str]", error.validator_value)  # `required` holds property names
        missing = [n for n in required if n not in error.instance]
        name = missing[0] if missing else ""
        return Problem(f"{path}/{name}", "required", {"field": name})
    if keyword not in SCHEMA:
        return Problem(path, "schema", {"detail": error.message})
    return Problem(path, keyword, {"value": error.instance, "limit": error.validator_value})
