"""Messages, in the reader's language, of the builder's list and views codes
(engine/codes_builder.py VIEWS): each place is named, and what it takes is said with it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

Params = Mapping[str, Any]

# A place of the list or of a view (`kanban.by`), and the fields it takes.
SLOTS: Mapping[str, tuple[Any, Any]] = {
    "columns": (_l("the list's columns"), _l("any field")),
    "sort": (_l("the sort"), _l("a field with one value per record")),
    "filters": (_l("the filters"), _l("a field that is not a child table")),
    "search": (_l("the search"), _l("a text, choice or user field")),
    "totals": (_l("the totals"), _l("a number or money field stored with the record")),
    "kanban.by": (_l("the board's columns"), _l("the state or a choice field")),
    "calendar.date": (_l("the calendar's date"), _l("a date or date-time field")),
    "calendar.end": (_l("the calendar's end"), _l("a date or date-time field")),
    "gantt.start": (_l("the Gantt chart's start"), _l("a date or date-time field")),
    "gantt.end": (_l("the Gantt chart's end"), _l("a date or date-time field")),
    "gantt.progress": (_l("the Gantt chart's progress"), _l("a number field")),
    "gantt.depends_on": (_l("the Gantt chart's predecessors"), _l("any field")),
}
VIEW_NAMES: Mapping[str, Any] = {
    "kanban": _l("board (kanban)"),
    "calendar": _l("calendar"),
    "gantt": _l("Gantt chart"),
}


def slot_name(slot: str) -> str:
    return str(SLOTS[slot][0]) if slot in SLOTS else str(slot)


def _unfit(p: Params) -> str:
    slot = str(p.get("key"))
    wanted = str(SLOTS[slot][1]) if slot in SLOTS else ""
    return _(
        "%(value)s does not fit %(slot)s: it takes %(wanted)s.",
        value=p.get("value"),
        slot=slot_name(slot),
        wanted=wanted,
    )


def _needs(p: Params) -> str:
    view, slot = p.get("view"), f"{p.get('view')}.{p.get('key')}"
    return _(
        "A %(view)s needs %(slot)s: choose one of the fields offered.",
        view=str(VIEW_NAMES.get(str(view), view)),
        slot=slot_name(slot),
    )


VIEWS: dict[str, Callable[[Params], str]] = {
    "builder_field_unfit": _unfit,
    "builder_view_needs": _needs,
    "builder_unknown_view": lambda p: _(
        "%(value)s is not a view: board (kanban), calendar or Gantt chart.", value=p.get("value")
    ),
}
