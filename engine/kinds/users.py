"""Several users in one field (`{"type": "array", "items": {"type": "string", "x-user": true}}`).

The multi-user kind: a RACI's `consulted`, an approval's voters named on the record. Like
a multi-choice field its value is a JSON list in one column (JSONB on PostgreSQL), filtered
by `contains` (the list holds that user; the pages offer "me"); like a user field every name
must be an active user (engine/records/checks.py), the form picks from the user list and a
cell shows display names. An approval's `approvers: {"field": F}` may name it: each user it
lists may vote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from marshmallow import fields
from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB

from engine.input_errors import CodedErrors
from engine.kinds.base import FieldKind
from engine.kinds.inputs import EMPTY, Text_
from engine.kinds.standard import _contains_any

if TYPE_CHECKING:
    from engine.kinds.fieldlike import FieldLike as Field


class UserNames(CodedErrors, fields.Field[Any]):
    """Distinct user names: a list, one name, or nothing (whether each is an active user is
    the write checks' question, asked of the database once per batch)."""

    error_codes = {"type": "not_a_list", "invalid": "not_text", "duplicate": "duplicate_choice"}

    default_error_messages = {
        "type": "Expected a list of user names.",
        "invalid": "{value!r} is not a user name.",
        "duplicate": "{value!r} is given twice.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if value in EMPTY:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise self.make_error("type")
        names: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip() or "\x00" in item:
                raise self.make_error("invalid", value=item)
            if item.strip() in names:
                raise self.make_error("duplicate", value=item)
            names.append(item.strip())
        return names


def _detect(schema: Mapping[str, Any], json_type: str | None) -> bool:
    items = schema.get("items")
    return json_type == "array" and isinstance(items, Mapping) and bool(items.get("x-user"))


def _openapi(field: Field) -> dict[str, Any]:
    item = {"type": "string", "maxLength": 64, "description": "a user name"}
    return {"type": "array", "items": item, "uniqueItems": True}


USERS = FieldKind(
    "users",
    detect=_detect,
    sql_type=lambda f: JSON().with_variant(JSONB(), "postgresql"),
    input_field=lambda f: UserNames(allow_none=True),
    expression_type="list",
    openapi=_openapi,
    operators=("contains",),
    searchable=True,
    scalar=False,
    filter_field=lambda f: Text_(allow_none=True),
    condition=_contains_any,
    widget="checkboxes",
    cell="users",
    words="multi-user field",
    filter_widget="users",
    names_user=True,
    many=True,
    widget_options={"type": "array", "items": {"type": "string", "x-user": True}},
)
