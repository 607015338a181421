"""The registry of field kinds: one entry per kind, not an if-ladder per feature.

Each kind says how its values are stored (SQL type), coerced from form and API input
(a marshmallow field), written back to JSON, and typed inside expressions. Adding a kind
is adding one entry here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

from engine.definitions.model import Field
from engine.numbers import NumberRefused, as_decimal, whole
from engine.sqltypes import ExactDecimal

EMPTY = ("", None)


class ExactNumber(fields.Field):
    """A decimal at a fixed scale: never through binary floating point, never rounded."""

    default_error_messages = {
        "invalid": "Not a valid number.",
        "scale": "{value} has more than {scale} decimal places.",
        "range": "{value} is too large.",
    }

    def __init__(self, scale: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.scale = scale

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().replace(",", "")
            if value == "":
                return None
        if isinstance(value, bool) or not isinstance(value, (int, str, Decimal, float)):
            raise self.make_error("invalid")
        try:
            number = as_decimal(value)  # bounded: `1e1000000` is refused, not converted
        except NumberRefused as refused:
            raise self.make_error(
                "range" if refused.code != "invalid" else "invalid", value=refused.text
            ) from None
        if number.as_tuple().exponent < -self.scale and number != number.quantize(
            Decimal(1).scaleb(-self.scale)
        ):
            raise self.make_error("scale", value=value, scale=self.scale)
        if abs(number) >= Decimal(10) ** 18:
            raise self.make_error("range", value=value)
        return number.quantize(Decimal(1).scaleb(-self.scale))


class WholeNumber(fields.Field):
    """An integer from JSON or form text; refuses booleans and fractions."""

    default_error_messages = {"invalid": "Not a valid integer.", "range": "{value} is too large."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if not isinstance(value, (int, str, Decimal, float)):
            raise self.make_error("invalid")
        try:
            result = whole(value)  # bounded: never int() of a million-digit exponent
        except NumberRefused as refused:
            raise self.make_error(
                "range" if refused.code != "invalid" else "invalid", value=refused.text
            ) from None
        if abs(result) >= 2**63:
            raise self.make_error("range", value=value)
        return result


class Text_(fields.String):
    """Text where an empty string means "no value"; NUL characters are refused.

    PostgreSQL text cannot hold U+0000 (SQLite can): refused here, where every record's text
    passes (API, pages, CSV and XLSX imports), so both backends answer alike.
    """

    default_error_messages = {"nul": "Text cannot contain a NUL character (U+0000)."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        if value == "":
            return None
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is not None and "\x00" in text:
            raise self.make_error("nul")
        return text


class Choice(fields.Field):
    """One value of the field's enum (form text is matched against the enum's text)."""

    default_error_messages = {"invalid": "{value!r} is not one of {choices}."}

    def __init__(self, choices: tuple[Any, ...], **kwargs: Any):
        super().__init__(**kwargs)
        self.choices = choices

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "":
            return None
        for choice in self.choices:
            if value == choice and type(value) is type(choice):
                return choice
            if isinstance(value, str) and not isinstance(choice, str) and value == str(choice):
                return choice
        raise self.make_error("invalid", value=value, choices=", ".join(map(str, self.choices)))


class MultiChoice(fields.Field):
    """Several distinct values of the items' enum."""

    default_error_messages = {
        "type": "Expected a list of values.",
        "invalid": "{value!r} is not one of {choices}.",
        "duplicate": "{value!r} is given twice.",
    }

    def __init__(self, choices: tuple[Any, ...], **kwargs: Any):
        super().__init__(**kwargs)
        self.choices = choices

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if value in EMPTY:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise self.make_error("type")
        result: list[Any] = []
        for item in value:
            if item not in self.choices or isinstance(item, bool):
                raise self.make_error(
                    "invalid", value=item, choices=", ".join(map(str, self.choices))
                )
            if item in result:
                raise self.make_error("duplicate", value=item)
            result.append(item)
        return result


class Day(fields.Date):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "":
            return None
        if isinstance(value, dt.datetime):
            raise self.make_error("invalid")
        if isinstance(value, dt.date):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


class Moment(fields.DateTime):
    """A date-time; naive input is taken as UTC, output is always UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "":
            return None
        moment = (
            value
            if isinstance(value, dt.datetime)
            else super()._deserialize(value, attr, data, **kwargs)
        )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)


class Flag(fields.Boolean):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "":
            return None
        return super()._deserialize(value, attr, data, **kwargs)


def _to_json_default(value: Any) -> Any:
    return value


def _decimal_to_json(value: Any) -> Any:
    return value  # Decimals stay Decimals; the JSON writer prints them at their scale


def _date_to_json(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def _datetime_to_json(value: Any) -> Any:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class FieldKind:
    """How one kind of field behaves everywhere in the engine."""

    name: str
    sql_type: Callable[[Field], TypeEngine[Any]]
    input_field: Callable[[Field], fields.Field]
    to_json: Callable[[Any], Any]
    expression_type: str
    summable: bool = False
    searchable: bool = False


def _choice_sql(field: Field) -> TypeEngine[Any]:
    if field.enum and all(isinstance(v, int) and not isinstance(v, bool) for v in field.enum):
        return BigInteger()
    return String(200)


KINDS: dict[str, FieldKind] = {
    kind.name: kind
    for kind in (
        FieldKind(
            "text",
            lambda f: Text(),
            lambda f: Text_(allow_none=True),
            _to_json_default,
            "text",
            searchable=True,
        ),
        FieldKind(
            "integer",
            lambda f: BigInteger(),
            lambda f: WholeNumber(allow_none=True),
            _to_json_default,
            "integer",
            summable=True,
        ),
        FieldKind(
            "decimal",
            lambda f: ExactDecimal(f.scale or 0),
            lambda f: ExactNumber(f.scale or 0, allow_none=True),
            _decimal_to_json,
            "number",
            summable=True,
        ),
        FieldKind(
            "boolean",
            lambda f: Boolean(),
            lambda f: Flag(allow_none=True),
            _to_json_default,
            "boolean",
        ),
        FieldKind("date", lambda f: Date(), lambda f: Day(allow_none=True), _date_to_json, "date"),
        FieldKind(
            "datetime",
            lambda f: DateTime(timezone=True),
            lambda f: Moment(allow_none=True),
            _datetime_to_json,
            "datetime",
        ),
        FieldKind(
            "choice",
            _choice_sql,
            lambda f: Choice(f.enum or (), allow_none=True),
            _to_json_default,
            "text",
            searchable=True,
        ),
        FieldKind(
            "multichoice",
            lambda f: JSON().with_variant(JSONB(), "postgresql"),
            lambda f: MultiChoice(f.enum or (), allow_none=True),
            _to_json_default,
            "list",
        ),
        FieldKind(
            "link", lambda f: String(64), lambda f: Text_(allow_none=True), _to_json_default, "text"
        ),
        FieldKind(
            "user",
            lambda f: String(64),
            lambda f: Text_(allow_none=True),
            _to_json_default,
            "text",
            searchable=True,
        ),
        FieldKind(
            "file", lambda f: Text(), lambda f: Text_(allow_none=True), _to_json_default, "text"
        ),
        FieldKind(
            "table",
            lambda f: JSON(),
            lambda f: fields.Raw(allow_none=True),
            _to_json_default,
            "list",
        ),
    )
}


def kind_of(field: Field) -> FieldKind:
    return KINDS[field.kind]


def expression_type(field: Field) -> str:
    return KINDS[field.kind].expression_type


def json_value(field: Field, value: Any) -> Any:
    """A stored value as the API writes it (Decimals stay exact for the JSON encoder)."""
    if field.kind == "table":
        return [
            {c.name: json_value(c, row.get(c.name)) for c in field.children} for row in value or []
        ]
    return KINDS[field.kind].to_json(value)


def check_input_error(exc: ValidationError) -> Mapping[str, Any]:
    return exc.messages if isinstance(exc.messages, Mapping) else {"": exc.messages}
