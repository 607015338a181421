"""Marshmallow fields that turn form and API text into the typed values of each kind.

Shared by the kinds in engine/kinds/: every value from outside (JSON bodies, form text,
filters, CSV and XLSX imports) is coerced by one of these, so all paths refuse alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from marshmallow import fields

from engine.input_errors import CodedErrors
from engine.numbers import NumberRefused, as_decimal, whole

EMPTY = ("", None)


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
