"""A workflow state of the compiled module (engine/definitions/model.py re-exports it).

Kept apart so the model stays small: a state says whether records in it are read-only, which
fields stay open, whether it ends the workflow, and when a record in it is due — after a time
in the state (`due`, ISO 8601) or on a date field of its own (`due_field`, moved by
`due_offset`); engine/workflow/due.py turns that into due times and overdue marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class State:
    id: str
    title: Any
    readonly: bool = False
    editable: tuple[str, ...] = ()  # fields that stay writable in a read-only state
    final: bool = False
    due: str | None = None
    on_due: str | None = None
    color: str | None = None
    due_field: str | None = None  # due from this date field of the record (`due: {"field"}`)
    due_offset: str | None = None  # ISO 8601 duration added to that date (`due: {"offset"}`)
