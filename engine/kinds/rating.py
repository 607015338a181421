"""A rating: one to N stars (`{"type": "integer", "x-rating": 5}`), stored as an integer.

The kind added the registry's way: this file and one line in engine/kinds/__init__.py (the
pack format's `x-rating` keyword is declared in schemas/pack.schema.json). Pages draw its
choices as radio buttons and its cells as stars with no code of their own.
Values below one or above the number of stars are refused wherever input is coerced
(API, pages, imports, filters); ratings compare and sort, but a sum of them means nothing,
so a list shows no total for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import SmallInteger

from engine.kinds.base import ORDERED, FieldKind
from engine.kinds.inputs import WholeNumber
from engine.kinds.standard import whole_half_up

if TYPE_CHECKING:
    from engine.kinds.fieldlike import FieldLike as Field

DEFAULT_STARS = 5


def stars(field: Field) -> int:
    """How many stars the field's scale has (`x-rating`, 5 when not a whole number)."""
    value = field.settings.get("x-rating")
    return value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_STARS


class Stars(WholeNumber):
    """A whole number of stars between one and the field's scale.

    Out of range is the JSON Schema keyword's problem (`minimum`, `maximum`), so the pages
    and the API word it as they word any bound."""

    default_error_messages = {
        "minimum": "{value} is less than the minimum of {limit}",
        "maximum": "{value} is greater than the maximum of {limit}",
    }
    error_codes = {**WholeNumber.error_codes, "minimum": "minimum", "maximum": "maximum"}

    def __init__(self, count: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.count = count

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:
        number = super()._deserialize(value, attr, data, **kwargs)
        if number is not None and number < 1:
            raise self.make_error("minimum", value=number, limit=1)
        if number is not None and number > self.count:
            raise self.make_error("maximum", value=number, limit=self.count)
        return number


def stars_text(field: Field, value: Any) -> str:
    """A rating as filled and empty stars with its figure: `★★★☆☆ 3/5`."""
    count, given = stars(field), int(value)
    return f"{'★' * given}{'☆' * max(count - given, 0)} {given}/{count}"


def star_choices(field: Field) -> list[tuple[str, str]]:
    """One option per star count: `("3", "★★★ 3")`."""
    return [(str(n), f"{'★' * n} {n}") for n in range(1, stars(field) + 1)]


RATING = FieldKind(
    "rating",
    detect=lambda s, t: (
        t == "integer" and "x-rating" in s and "x-rollup" not in s and "enum" not in s
    ),
    sql_type=lambda f: SmallInteger(),
    input_field=lambda f: Stars(stars(f), allow_none=True),
    expression_type="integer",
    openapi=lambda f: {"type": "integer", "minimum": 1, "maximum": stars(f), "x-rating": stars(f)},
    operators=ORDERED,
    widget="radio",
    choices=star_choices,
    display=stars_text,
    filter_widget="number",
    cast=whole_half_up,
    settings=("x-rating",),
    widget_options={"type": "integer", "x-rating": DEFAULT_STARS},
)
