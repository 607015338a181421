"""What a field kind is: one object that knows everything the engine asks of a kind.

A kind detects itself in a field's JSON Schema, names its SQL column type and the
marshmallow field that coerces input, writes values back to JSON, types them inside
expressions, lists the filter operators it takes (the query, the OpenAPI document and the
list page all read the same tuple), describes its value in OpenAPI, and names the form
widget and list cell the pages draw for it. Like jsonschema's keyword → function table,
callers look a kind up instead of testing its name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marshmallow import fields
from sqlalchemy import ColumnElement
from sqlalchemy.types import TypeEngine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.kinds.fieldlike import FieldLike as Field

# Filter operators, in the order the API documents them.
OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "between", "empty")
EQUALITY = ("eq", "ne", "in")
ORDERED = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "between")
MATCHED = ("eq", "ne", "in", "contains")
EVERY = OPERATORS

Detect = Callable[[Mapping[str, Any], "str | None"], bool]
Condition = Callable[["Session", Any, str, Any], ColumnElement[bool]]


def same(value: Any) -> Any:
    """Values that JSON writes as they are (Decimals stay exact for the JSON writer)."""
    return value


def date_to_json(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def datetime_to_json(value: Any) -> Any:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def keep(field: Field, value: Any) -> Any:
    """A computed value the kind takes as it is."""
    return value


def as_text(field: Field, value: Any) -> Any:
    return str(value)


def main_type(schema: Mapping[str, Any]) -> str | None:
    """The JSON type of a field schema, `null` aside (`["integer", "null"]` is integer)."""
    types = schema.get("type")
    if isinstance(types, list):
        return next((t for t in types if t != "null"), None)
    return types if isinstance(types, str) else None


@dataclass(frozen=True)
class FieldKind:
    """How one kind of field behaves everywhere in the engine, the API and the pages."""

    name: str
    detect: Detect
    sql_type: Callable[[Field], TypeEngine[Any]]
    input_field: Callable[[Field], fields.Field[Any]]
    expression_type: str
    openapi: Callable[[Field], dict[str, Any]]
    to_json: Callable[[Any], Any] = same
    cast: Callable[[Field, Any], Any] = keep  # a formula's result in the field's type
    operators: tuple[str, ...] = EQUALITY
    summable: bool = False
    searchable: bool = False
    scalar: bool = True  # one value per record (not a list of choices, not child rows)
    stored: bool = True  # a column of the record's table (child rows have tables of their own)
    # one filter value, if not input
    filter_field: Callable[[Field], fields.Field[Any]] | None = None
    condition: Condition | None = None  # its own SQL for a filter, where `=` will not do
    widget: str = "input"  # the form widget the pages draw (templates/records/_fields.html)
    choices: Callable[[Field], list[tuple[str, str]]] | None = None  # a radio widget's options
    display: Callable[[Field, Any], str] | None = None  # cell text the same in every language
    cell: str = "text"  # how a list cell shows a value (web/pages/formatting.DISPLAY)
    filter_widget: str = "text"  # the list page's filter control (templates/records/list.html)
    # The schema the builder starts a new field of this kind from (detected as this kind once
    # its empty values, such as the module a link points to, are filled in).
    widget_options: Mapping[str, Any] = field(default_factory=dict)
    settings: tuple[str, ...] = ()  # the kind's own schema keywords, compiled onto the field
    words: str = ""  # the kind in messages: "child table", "multi-choice field"...
    # What callers ask of a kind instead of testing its name (a new kind sets its own answers):
    links: bool = False  # the value is the id of a record of another module (`Field.ref`)
    names_user: bool = False  # the value is a user name
    holds_files: bool = False  # the value is a reference to a stored attachment
    rows: bool = False  # the value is a list of child rows (`Field.children`)
    many: bool = False  # the value is a list of choices
    enumerated: bool = False  # the values are the field's `enum`, drawn as options
    equality_index: bool = False  # looked up by equality: the index leads with it
    aware: bool = False  # a moment in time, shown and entered in the reader's time zone
    exact: bool = False  # a decimal written at its scale
    trimmed: bool = False  # form input loses surrounding blanks before it is read
    flag: bool = False  # true or false, drawn as a checkbox
    widgets: tuple[str, ...] = ()  # the widgets a pack may choose for it (`x-widget`)

    @property
    def dated(self) -> bool:
        """Whether the value is a day or a moment (a calendar or a Gantt chart places it)."""
        return self.expression_type in ("date", "datetime")

    @property
    def one_of(self) -> bool:
        """Whether the value is one of the field's `enum` (a single choice)."""
        return self.enumerated and self.scalar

    @property
    def picked(self) -> bool:
        """Whether the form picks the value from a searched list (a record or a user)."""
        return self.links or self.names_user

    @property
    def ordered(self) -> bool:
        """Whether values compare (`lt`, `gte`, `between` apply and sorting means something)."""
        return "lt" in self.operators

    def coerce_filter(self, field: Field) -> fields.Field[Any]:
        """The marshmallow field that reads one filter value of this kind."""
        return (self.filter_field or self.input_field)(field)

    @property
    def text(self) -> str:
        """The kind for messages: `an integer field`, `a child table`..."""
        words = self.words or f"{self.name} field"
        return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"
