"""Marshmallow fields that turn form and API text into the typed values of each kind.

Shared by the kinds in engine/kinds/: every value from outside (JSON bodies, form text,
filters, CSV and XLSX imports) is coerced by one of these, so all paths refuse alike.

Each field also answers `plain_converter(field)`: the same coercion as a plain function for
the bulk path (engine/records/plain_input.py), without marshmallow's per-value machinery.
A converter gives exactly the value the field would give, or raises `NotPlain` when the
value is one it does not settle cheaply (anything that may be refused, or an unusual type):
the caller then coerces the whole record the general way, which words every problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

from engine.input_errors import CodedErrors
from engine.numbers import NumberRefused, as_decimal, whole

EMPTY = ("", None)
LARGEST = Decimal(10) ** 18  # money columns hold 18 digits before the point
Convert = Callable[[Any], Any]


class NotPlain(Exception):
    """A value the plain converter does not settle: coerce the record the general way."""


def plain_converter(field: fields.Field[Any]) -> Convert:
    """The field's coercion as a plain function (see the module's docstring).

    A class's own `plain` is used only when defined on that very class (a subclass that
    adds checks, like a rating's bounds, must not inherit its parent's shortcut) and when
    the field has no validators or hooks of its own; otherwise the field's `deserialize`.
    """
    own = type(field).__dict__.get("plain")
    hooks = field.validators or field.pre_load or field.post_load
    if own is not None and field.allow_none and not hooks:
        converter: Convert = own(field)
        return converter
    return _through(field)


def _through(field: fields.Field[Any]) -> Convert:
    """The field's full `deserialize`, its refusals turned into NotPlain."""
    deserialize = field.deserialize

    def convert(value: Any) -> Any:
        try:
            return deserialize(value)
        except ValidationError:
            raise NotPlain from None

    return convert


class ExactNumber(CodedErrors, fields.Field[Decimal | None]):
    """A decimal at a fixed scale: never through binary floating point, never rounded."""

    error_codes = {"invalid": "not_a_number", "scale": "decimal_places", "range": "too_large"}

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
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)  # finite: as_decimal refuses NaN and infinities
        if exponent < -self.scale and number != number.quantize(Decimal(1).scaleb(-self.scale)):
            raise self.make_error("scale", value=value, scale=self.scale)
        if abs(number) >= Decimal(10) ** 18:
            raise self.make_error("range", value=value)
        return number.quantize(Decimal(1).scaleb(-self.scale))

    def plain(self) -> Convert:
        """Decimals already at the scale and whole numbers, quantized as above; others (text,
        floats, more places, huge values) through `deserialize`."""
        quantum = Decimal(1).scaleb(-self.scale)
        places = -self.scale
        through = _through(self)
        shortcut = 0 <= self.scale <= 18  # far inside the exponent bounds of `as_decimal`

        def convert(value: Any) -> Any:
            kind = type(value)
            if value is None:
                return None
            if shortcut and kind is int and -LARGEST < value < LARGEST:
                return Decimal(value).quantize(quantum)
            if (
                shortcut
                and kind is Decimal
                and value.is_finite()
                and value.as_tuple().exponent >= places
                and -LARGEST < value < LARGEST
            ):
                return value.quantize(quantum)
            return through(value)

        return convert


class WholeNumber(CodedErrors, fields.Field[int | None]):
    """An integer from JSON or form text; refuses booleans and fractions."""

    error_codes = {"invalid": "not_an_integer", "range": "too_large"}

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

    def plain(self) -> Convert:
        """Integers within 64 bits as they are; others through `deserialize`."""
        through = _through(self)

        def convert(value: Any) -> Any:
            if value is None or (type(value) is int and -(2**63) < value < 2**63):
                return value
            return through(value)

        return convert


class Text_(CodedErrors, fields.String):
    """Text where an empty string means "no value"; NUL characters are refused.

    PostgreSQL text cannot hold U+0000 (SQLite can): refused here, where every record's text
    passes (API, pages, CSV and XLSX imports), so both backends answer alike.
    """

    error_codes = {"invalid": "not_text", "nul": "nul_character"}

    default_error_messages = {"nul": "Text cannot contain a NUL character (U+0000)."}

    def _deserialize(  # type: ignore[override]  # "" is no value (None); String gives str
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> str | None:
        if value == "":
            return None
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        return text

    def plain(self) -> Convert:
        """Text without NUL as it is, "" as no value; anything else through `deserialize`."""
        through = _through(self)

        def convert(value: Any) -> Any:
            if type(value) is str and "\x00" not in value:
                return value or None
            return None if value is None else through(value)

        return convert


class Choice(CodedErrors, fields.Field[Any]):
    """One value of the field's enum (form text is matched against the enum's text)."""

    error_codes = {"invalid": "not_a_choice"}

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

    def plain(self) -> Convert:
        """Among text choices, a set lookup; other choices through `deserialize`."""
        through = _through(self)
        if not all(type(c) is str for c in self.choices):
            return through
        allowed = frozenset(self.choices)

        def convert(value: Any) -> Any:
            if value is None or value == "":
                return None
            if type(value) is str and value in allowed:
                return value
            return through(value)

        return convert


class MultiChoice(CodedErrors, fields.Field[Any]):
    """Several distinct values of the items' enum."""

    error_codes = {"type": "not_a_list", "invalid": "not_a_choice", "duplicate": "duplicate_choice"}
    error_params = {"items": "values"}

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

    def plain(self) -> Convert:
        """A list of distinct text choices copied; everything else through `deserialize`."""
        through = _through(self)
        if not all(type(c) is str for c in self.choices):
            return through
        allowed = frozenset(self.choices)

        def convert(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is list and all(type(item) is str for item in value):
                distinct = set(value)
                if len(distinct) == len(value) and distinct <= allowed:
                    return list(value)
            return through(value)

        return convert


class Day(CodedErrors, fields.Date):
    error_codes = {"invalid": "not_a_date", "format": "not_a_date"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "":
            return None
        if isinstance(value, dt.datetime):
            raise self.make_error("invalid")
        if isinstance(value, dt.date):
            return value
        return super()._deserialize(value, attr, data, **kwargs)

    def plain(self) -> Convert:
        """A date as it is; text and the rest through `deserialize`."""
        through = _through(self)

        def convert(value: Any) -> Any:
            if value is None or type(value) is dt.date:
                return value
            return through(value)

        return convert


class Moment(CodedErrors, fields.DateTime):
    """A date-time; naive input is taken as UTC, output is always UTC."""

    error_codes = {
        "invalid": "not_a_datetime",
        "invalid_awareness": "not_a_datetime",
        "format": "not_a_datetime",
    }

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


class Flag(CodedErrors, fields.Boolean):
    error_codes = {"invalid": "not_a_boolean"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "":
            return None
        return super()._deserialize(value, attr, data, **kwargs)

    def plain(self) -> Convert:
        """true and false as they are; text and the rest through `deserialize`."""
        through = _through(self)

        def convert(value: Any) -> Any:
            if value is None or value is True or value is False:
                return value
            return through(value)

        return convert
