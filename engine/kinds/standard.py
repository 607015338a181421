"""The kinds PACK_FORMAT.md's field table names: text, numbers, dates, choices, links...

Each is one `FieldKind`. Their order is the order of detection (the first kind whose
`detect` accepts a schema is its kind): a rollup is a number whatever else it says, an
array of objects is a child table before it is a list of choices, an enum is a choice
before it is a string, and anything else is text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from marshmallow import fields
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    String,
    Text,
    exists,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

from engine.kinds.base import (
    EQUALITY,
    EVERY,
    MATCHED,
    ORDERED,
    FieldKind,
    as_text,
    date_to_json,
    datetime_to_json,
)
from engine.kinds.inputs import (
    Choice,
    Day,
    ExactNumber,
    Flag,
    Moment,
    MultiChoice,
    Text_,
    WholeNumber,
)
from engine.sqltypes import ExactDecimal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.kinds.fieldlike import FieldLike as Field

Schema = Mapping[str, Any]


def _enum_type(values: tuple[Any, ...]) -> str:
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    return "string"


def _choice_sql(field: Field) -> TypeEngine[Any]:
    if field.enum and all(isinstance(v, int) and not isinstance(v, bool) for v in field.enum):
        return BigInteger()
    return String(200)


def _choice_schema(field: Field) -> dict[str, Any]:
    values = tuple(field.enum or ())
    return {"type": _enum_type(values), "enum": list(values)}


def _decimal_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "number", "format": "decimal", "x-scale": field.scale or 0}
    if field.money:
        schema["x-money"] = True
    return schema


def _link_schema(field: Field) -> dict[str, Any]:
    return {
        "type": "string",
        "maxLength": 64,
        "x-ref": field.ref,
        "description": f"the id of a {field.ref} record",
    }


def _contains_any(session: Session, column: Any, op: str, value: Any) -> ColumnElement[bool]:
    """A list of choices matches when it holds any of the wanted values (JSON in SQL)."""
    wanted = value if isinstance(value, tuple) else (value,)
    if session.get_bind().dialect.name == "postgresql":
        document = type_coerce(column, JSONB)
        return or_(*(document.contains([v]) for v in wanted))
    each = func.json_each(column).table_valued("value").alias("each")
    return exists(select(literal_column("1")).select_from(each).where(each.c.value.in_(wanted)))


def whole_half_up(field: Field, value: Any) -> int:
    """A computed number as a whole number, halves rounded away from zero."""
    return int(Decimal(str(value)).to_integral_value(rounding=ROUND_HALF_UP))


def _at_scale(field: Field, value: Any) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-(field.scale or 0)), rounding=ROUND_HALF_UP)


def _day(field: Field, value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def _string(marker: str) -> Any:
    return lambda s, t: t == "string" and bool(s.get(marker))


def _format(name: str) -> Any:
    return lambda s, t: t == "string" and s.get("format") == name


def _text(f: Field) -> fields.Field[Any]:
    return Text_(allow_none=True)


INTEGER = FieldKind(
    "integer",
    detect=lambda s, t: t == "integer" and ("x-rollup" in s or "enum" not in s),
    sql_type=lambda f: BigInteger(),
    input_field=lambda f: WholeNumber(allow_none=True),
    expression_type="integer",
    openapi=lambda f: {"type": "integer"},
    operators=ORDERED,
    summable=True,
    cell="number",
    words="integer field",
    filter_widget="number",
    cast=whole_half_up,
    trimmed=True,
    widget_options={"type": "integer"},
    widgets=("input",),
)
DECIMAL = FieldKind(
    "decimal",
    detect=lambda s, t: "x-rollup" in s or (t == "number" and "enum" not in s),
    sql_type=lambda f: ExactDecimal(f.scale or 0),
    input_field=lambda f: ExactNumber(f.scale or 0, allow_none=True),
    expression_type="number",
    openapi=_decimal_schema,
    operators=ORDERED,
    summable=True,
    cell="number",
    widget_options={"type": "number", "x-scale": 2},
    filter_widget="number",
    cast=_at_scale,
    exact=True,
    trimmed=True,
    widgets=("input",),
)
TABLE = FieldKind(
    "table",
    detect=lambda s, t: (
        t == "array"
        and isinstance(s.get("items"), Mapping)
        and (s["items"].get("type") == "object" or "properties" in s["items"])
    ),
    sql_type=lambda f: JSON(),
    input_field=lambda f: fields.Raw(allow_none=True),
    expression_type="list",
    openapi=lambda f: {"type": "array"},
    operators=(),
    scalar=False,
    stored=False,
    widget="table",
    cell="rows",
    words="child table",
    rows=True,
    widget_options={"type": "array", "items": {"type": "object", "properties": {}}},
)
MULTICHOICE = FieldKind(
    "multichoice",
    detect=lambda s, t: t == "array",
    sql_type=lambda f: JSON().with_variant(JSONB(), "postgresql"),
    input_field=lambda f: MultiChoice(f.enum or (), allow_none=True),
    expression_type="list",
    openapi=lambda f: {"type": "array", "items": _choice_schema(f), "uniqueItems": True},
    operators=("eq", "in", "contains"),
    scalar=False,
    filter_field=lambda f: Choice(f.enum or (), allow_none=True),
    condition=_contains_any,
    widget="checkboxes",
    cell="choices",
    words="multi-choice field",
    filter_widget="multichoice",
    many=True,
    enumerated=True,
    widget_options={"type": "array", "items": {"enum": []}, "uniqueItems": True},
    widgets=("checkboxes",),
)
CHOICE = FieldKind(
    "choice",
    detect=lambda s, t: "enum" in s,
    sql_type=_choice_sql,
    input_field=lambda f: Choice(f.enum or (), allow_none=True),
    expression_type="text",
    openapi=_choice_schema,
    operators=EVERY,
    searchable=True,
    widget="select",
    cell="choice",
    filter_widget="choice",
    cast=as_text,
    enumerated=True,
    equality_index=True,
    widget_options={"type": "string", "enum": []},
    widgets=("select", "radio"),
)
LINK = FieldKind(
    "link",
    detect=_string("x-ref"),
    sql_type=lambda f: String(64),
    input_field=_text,
    expression_type="text",
    openapi=_link_schema,
    operators=ORDERED,
    widget="picker",
    cell="link",
    filter_widget="link",
    cast=as_text,
    links=True,
    equality_index=True,
    widget_options={"type": "string", "x-ref": ""},
)
USER = FieldKind(
    "user",
    detect=_string("x-user"),
    sql_type=lambda f: String(64),
    input_field=_text,
    expression_type="text",
    openapi=lambda f: {"type": "string", "maxLength": 64, "description": "a user name"},
    operators=EVERY,
    searchable=True,
    widget="picker",
    cell="user",
    filter_widget="user",
    cast=as_text,
    names_user=True,
    equality_index=True,
    widget_options={"type": "string", "x-user": True},
)
FILE = FieldKind(
    "file",
    detect=_string("x-file"),
    sql_type=lambda f: Text(),
    input_field=_text,
    expression_type="text",
    openapi=lambda f: {"type": "string", "description": "a reference to a stored attachment"},
    operators=MATCHED,
    widget="file",
    cell="file",
    words="attachment field",
    cast=as_text,
    holds_files=True,
    widget_options={"type": "string", "x-file": True},
)
DATE = FieldKind(
    "date",
    detect=_format("date"),
    sql_type=lambda f: Date(),
    input_field=lambda f: Day(allow_none=True),
    expression_type="date",
    openapi=lambda f: {"type": "string", "format": "date"},
    to_json=date_to_json,
    operators=ORDERED,
    cell="date",
    filter_widget="date",
    cast=_day,
    widget_options={"type": "string", "format": "date"},
    widgets=("input",),
)
DATETIME = FieldKind(
    "datetime",
    detect=_format("date-time"),
    sql_type=lambda f: DateTime(timezone=True),
    input_field=lambda f: Moment(allow_none=True),
    expression_type="datetime",
    openapi=lambda f: {"type": "string", "format": "date-time"},
    to_json=datetime_to_json,
    operators=ORDERED,
    cell="moment",
    words="date-time field",
    filter_widget="date",
    aware=True,
    widget_options={"type": "string", "format": "date-time"},
    widgets=("input",),
)
BOOLEAN = FieldKind(
    "boolean",
    detect=lambda s, t: t == "boolean",
    sql_type=lambda f: Boolean(),
    input_field=lambda f: Flag(allow_none=True),
    expression_type="boolean",
    openapi=lambda f: {"type": "boolean"},
    operators=EQUALITY,
    widget="checkbox",
    cell="boolean",
    filter_widget="boolean",
    cast=lambda f, v: bool(v),
    flag=True,
    equality_index=True,
    widget_options={"type": "boolean"},
)
TEXT = FieldKind(
    "text",
    detect=lambda s, t: True,
    sql_type=lambda f: Text(),
    input_field=_text,
    expression_type="text",
    openapi=lambda f: {"type": "string"},
    operators=EVERY,
    searchable=True,
    widget_options={"type": "string", "maxLength": 200},
    cast=as_text,
    widgets=("input", "textarea"),
)

# In the order of detection; text, which takes anything, last.
STANDARD = (
    INTEGER,
    DECIMAL,
    TABLE,
    MULTICHOICE,
    CHOICE,
    LINK,
    USER,
    FILE,
    DATE,
    DATETIME,
    BOOLEAN,
    TEXT,
)
