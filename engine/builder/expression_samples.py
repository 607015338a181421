"""A sample record for the builder's live preview of a formula or a condition.

The admin sees what an expression gives before any record exists, so each field gets a value
made up from its kind (or the one the admin typed), child rows get two rows, and the draft's
other formulas are computed over them the way a saved record's are — row formulas first,
then record formulas — so a formula that reads another formula shows a real result too.
The draft may not compile, so everything here reads the checks' light view of its fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from engine.definitions.model import Field
from engine.definitions.scope import ModuleInfo
from engine.errors import ExpressionError
from engine.expressions import parse

SAMPLE_DAY = dt.date(2026, 3, 16)
SAMPLE_MOMENT = dt.datetime(2026, 3, 16, 8, 30, tzinfo=dt.UTC)
SAMPLE_USER = {"id": "admin", "roles": ["admin"]}
SAMPLE_ROWS = 2


def with_scale(info: Field) -> Field:
    """The field with its scale, which the checks' light view leaves out (`x-scale`)."""
    scale = info.schema.get("x-scale")
    return dataclasses.replace(info, scale=scale) if isinstance(scale, int) else info


def _decimal(info: Field) -> Decimal:
    scale = info.schema.get("x-scale")
    places = scale if isinstance(scale, int) and 0 <= scale <= 6 else 2
    return Decimal("8.5").quantize(Decimal(1).scaleb(-places))


def _first_choice(info: Field) -> Any:
    return info.enum[0] if info.enum else "a"


def _title_text(info: Field) -> str:
    title = info.title
    if isinstance(title, Mapping):
        title = title.get("en") or next(iter(title.values()), info.name)
    return str(title)[:40] or info.name


# One made-up value per kind, by the kind's name (engine/kinds); unknown kinds get null.
MADE_UP: Mapping[str, Callable[[Field], Any]] = {
    "text": _title_text,
    "integer": lambda info: 3,
    "rating": lambda info: 4,
    "decimal": _decimal,
    "choice": _first_choice,
    "multichoice": lambda info: [_first_choice(info)],
    "boolean": lambda info: True,
    "date": lambda info: SAMPLE_DAY,
    "datetime": lambda info: SAMPLE_MOMENT,
    "link": lambda info: "REC-0001",
    "user": lambda info: "admin",
    "file": lambda info: None,
}


def made_up_row(table: Field) -> dict[str, Any]:
    """One child row of `table` with a made-up value for each column that is not computed."""
    return {
        column.name: MADE_UP.get(column.kind, lambda info: None)(column)
        for column in table.children
        if not column.computed
    }


def made_up_record(module: ModuleInfo) -> dict[str, Any]:
    """A record of `module` with a made-up value for each field that is not computed."""
    return made_up_values(module.fields.values())


def made_up_values(fields: Iterable[Field]) -> dict[str, Any]:
    """A made-up value for each of `fields` that is not computed, two rows for a child table:
    the light view's fields or a compiled module's (the builder's preview fills its form)."""
    record: dict[str, Any] = {}
    for info in fields:
        if info.computed:
            continue
        if info.kind_type.rows:
            record[info.name] = [made_up_row(info) for _ in range(SAMPLE_ROWS)]
        else:
            record[info.name] = MADE_UP.get(info.kind, lambda info: None)(info)
    return record


def _compute(fields: list[Field], env: dict[str, Any], skip: str | None) -> None:
    """Each formula of `fields` over `env`, in as many rounds as there are formulas, so one
    that reads another is computed after it; one that fails (or is `skip`) stays null."""
    formulas = [f for f in fields if f.formula_text is not None and f.name != skip]
    for _ in range(len(formulas)):
        for info in formulas:
            try:
                value = parse(info.formula_text or "").evaluate(env, now=SAMPLE_MOMENT)
                env[info.name] = with_scale(info).kind_type.cast(with_scale(info), value)
            except (ExpressionError, ArithmeticError, ValueError, TypeError):
                env[info.name] = None


def sample_env(
    module: ModuleInfo,
    given: Mapping[str, Any] | None,
    *,
    state: str | None,
    table: Field | None = None,
    skip: str | None = None,
) -> dict[str, Any]:
    """What an expression of `module` reads for the sample: the admin's values over made-up
    ones, the other formulas computed, the `$` values and `user`; for a child-row formula
    (`table`), one row."""
    if table is not None:
        row = {**made_up_row(table), **dict(given or {})}
        _compute(list(table.children), row, skip)
        return row
    env = {**made_up_record(module), **dict(given or {})}
    for info in module.fields.values():
        if info.kind_type.rows and isinstance(env.get(info.name), list):
            rows = [dict(r) for r in env[info.name] if isinstance(r, Mapping)]
            for row in rows:
                _compute(list(info.children), row, None)
            env[info.name] = rows
    _compute(list(module.fields.values()), env, skip)
    env.update(
        {
            "$id": "00000000-0000-0000-0000-000000000001",
            "$number": "SAMPLE-0001",
            "$state": state,
            "$owner": "admin",
            "$created_at": SAMPLE_MOMENT,
            "$updated_at": SAMPLE_MOMENT,
        }
    )
    env.setdefault("user", dict(SAMPLE_USER))
    return env
