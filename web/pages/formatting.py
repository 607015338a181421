"""Values as people read them: money at its scale, dates, choice titles, users, states.

One registry maps a field kind to its display function (like the engine's field kinds), so
lists, records, exports and the history show a value the same way. Everything returned is
plain text; templates escape it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask, g
from flask_babel import format_date, format_datetime, format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from engine.definitions.model import Field, Module, State
from engine.workflow.due import is_overdue as overdue
from web.i18n import text
from web.pages.approval_groups import group_title
from web.pages.uploads import parse_reference, size_text

SYSTEM_COLUMNS = ("$number", "$state", "$owner", "$created_at", "$updated_at")
# The state colours a pack may name; anything else is shown in the neutral colour.
STATE_COLOURS = frozenset(
    {"gray", "grey", "blue", "green", "red", "orange", "yellow", "purple", "teal", "pink"}
)


def system_title(name: str) -> str:
    return {
        "$number": _("Number"),
        "$state": _("State"),
        "$owner": _("Created by"),
        "$created_at": _("Created"),
        "$updated_at": _("Updated"),
        "$id": _("Id"),
    }.get(name, name)


def field_title(module: Module, name: str) -> str:
    """The label of a field (or a system column) in the user's language."""
    if name.startswith("$"):
        return system_title(name)
    field = module.field(name)
    return text(field.title) if field is not None and field.title else name


def decimal_text(value: Any, scale: int) -> str:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    pattern = "#,##0" + ("." + "0" * scale if scale else "")
    return format_decimal(number, format=pattern)


def date_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return moment_text(value)
    if isinstance(value, dt.date):
        return format_date(value, format="yyyy-MM-dd")
    if isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value), format="yyyy-MM-dd")
        except ValueError:
            return value
    return str(value)


def moment_text(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return format_datetime(value, format="yyyy-MM-dd HH:mm")
    return str(value)


def choice_text(field: Field, value: Any) -> str:
    title = field.enum_titles.get(str(value)) if field.enum_titles else None
    return text(title) if title else str(value)


def list_separator() -> str:
    return "、" if str(get_locale()).startswith("zh") else ", "


def user_text(name: Any) -> str:
    names = user_names()
    return names.get(str(name), str(name))


def user_names() -> dict[str, str]:
    """Display names of every user, once per request (user pickers and user columns)."""
    cached = g.get("formwork_user_names")
    if cached is None:
        from engine.accounts import user_labels
        from web.pages.context import db

        with db() as session:
            cached = {name: (display or name) for name, display in user_labels(session)}
        g.formwork_user_names = cached
    return cached


def _number(field: Field, value: Any) -> str:
    return decimal_text(value, field.scale or 0)  # a whole number has no scale


def _boolean(field: Field, value: Any) -> str:
    return _("Yes") if value else _("No")


def _multi(field: Field, value: Any) -> str:
    values = value if isinstance(value, (list, tuple)) else [value]
    return list_separator().join(choice_text(field, v) for v in values)


def _users(field: Field, value: Any) -> str:
    values = value if isinstance(value, (list, tuple)) else [value]
    return list_separator().join(user_text(v) for v in values)


def _rows(field: Field, value: Any) -> str:
    count = len(value or [])
    return ngettext("%(num)s row", "%(num)s rows", count)


def _file(field: Field, value: Any) -> str:
    reference = parse_reference(value)
    return reference.name if reference else str(value)


# How a cell shows a value, by the cell each kind names (engine/kinds: `FieldKind.cell`).
DISPLAY: dict[str, Callable[[Field, Any], str]] = {
    "text": lambda f, v: str(v),
    "number": _number,
    "boolean": _boolean,
    "date": lambda f, v: date_text(v),
    "moment": lambda f, v: moment_text(v),
    "choice": choice_text,
    "choices": _multi,
    "link": lambda f, v: str(v),
    "user": lambda f, v: user_text(v),
    "users": _users,
    "file": _file,
    "rows": _rows,
}


def value_text(field: Field | None, value: Any) -> str:
    """A stored value as text for people; empty for no value."""
    if (
        value is None
        or value == ""
        or (value == [] and (field is None or not field.kind_type.rows))
    ):
        return ""
    if field is None:
        return moment_text(value) if isinstance(value, dt.datetime) else str(value)
    kind = field.kind_type
    return kind.display(field, value) if kind.display else DISPLAY[kind.cell](field, value)


def restricted_text() -> str:
    """The mark shown for a value withheld from the reader: a total over records they may
    not all read is neither shown in full nor as the part they may read."""
    return _("Restricted")


def history_text(field: Field | None, value: Any) -> str:
    """A value as the history stores it (JSON: decimals and dates as text)."""
    if field is not None and field.kind_type.exact and isinstance(value, (str, int, float)):
        return decimal_text(value, field.scale or 0)
    return value_text(field, value)


def state_of(module: Module, state_id: str | None) -> State | None:
    if module.workflow is None or state_id is None:
        return None
    return module.workflow.states.get(state_id)


def state_title(module: Module, state_id: str | None) -> str:
    state = state_of(module, state_id)
    return text(state.title) if state is not None and state.title else (state_id or "")


def state_colour(module: Module, state_id: str | None) -> str:
    state = state_of(module, state_id)
    colour = (state.color or "").lower() if state is not None else ""
    return colour if colour in STATE_COLOURS else "neutral"


def is_overdue(module: Module, record: Any, now: dt.datetime | None = None) -> bool:
    """Whether a record (or a related item) is past its due time in its state: the engine's
    one rule (engine/workflow/due.py), a time in the state or a date of the record."""
    data = getattr(record, "data", None)
    return overdue(module, record.state, record.state_since, data, now)


def record_title(module: Module, record: Any) -> str:
    """What names a record: its title field, else its number."""
    if module.title_field:
        value = record.data.get(module.title_field)
        if value not in (None, ""):
            return value_text(module.field(module.title_field), value)
    return record.number or record.id[:8]


def column_label(module: Module, table: Field, column: Field) -> str:
    """The label of a child-table column."""
    return text(column.title) if column.title else column.name


def step_title(module: Module, transition_id: str | None) -> str:
    """The title of a transition in the user's language."""
    step = module.workflow.transition(transition_id or "") if module.workflow else None
    return text(step.title) if step is not None and step.title else (transition_id or "")


def change_label(module: Module, name: str) -> str:
    if name == "$approver":
        return _("Approver")
    return field_title(module, name)


def change_text(module: Module, name: str, value: Any) -> str:
    """A value of a history change; masked values stay masked."""
    from engine.audit import MASK

    if value == MASK:
        return MASK
    if name == "$approver":
        return user_text(value) if value else ""
    return history_text(module.field(name), value)


def is_numeric(module: Module, name: str) -> bool:
    field = module.field(name)
    return field is not None and field.numeric


def init_app(app: Flask) -> None:
    from web.pages.context import template_globals

    app.jinja_env.filters["user_label"] = user_text
    app.jinja_env.globals.update(
        field_title=field_title,
        value_text=value_text,
        restricted_text=restricted_text,
        history_text=history_text,
        state_title=state_title,
        state_colour=state_colour,
        is_overdue=is_overdue,
        is_numeric=is_numeric,
        record_title=record_title,
        column_label=column_label,
        step_title=step_title,
        change_label=change_label,
        change_text=change_text,
        choice_text=choice_text,
        size_text=size_text,
        user_text=user_text,
        date_text=date_text,
        moment_text=moment_text,
        decimal_text=decimal_text,
        group_title=group_title,
        **template_globals(),
    )
