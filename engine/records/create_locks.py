"""Fields a new record may not be given: those `x-editable-in` closes in its first state.

A field editable only in some states (`paid_at`, editable in `approved`) is read-only in the
others for everyone, and that includes the state a record is created in: giving it a value
at create would slip past the rule the update path enforces. So a create that sets it is
refused with the same located problem an update gets (`field_state_locked` at `/paid_at`).
Values the engine fills itself (defaults, formulas) are not the caller's and pass, and so do
demo records the system places directly in a later state (a seed stands for a record that
went through the workflow; engine/records/service.py checks only records starting out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.definitions.model import Module
from engine.errors import Problem
from engine.permissions import closed_fields


def closed_at_create(
    module: Module, items: Sequence[Any], states: Sequence[str | None]
) -> list[tuple[int, Problem]]:
    """For each item (by index) that gives a value to a field its first state closes."""
    problems: list[tuple[int, Problem]] = []
    for index, (data, state) in enumerate(zip(items, states, strict=True)):
        if not isinstance(data, Mapping):
            continue  # reported by the coercion
        given = {name for name, value in data.items() if value not in (None, "", [])}
        closed = sorted(given & set(closed_fields(module, state)))
        if not closed:
            continue
        field = module.field(closed[0])
        allowed = field.editable_in if field is not None else ()
        params = {"field": closed[0], "fields": closed, "state": state, "states": allowed}
        problems.append((index, Problem(f"/{closed[0]}", "field_state_locked", params)))
    return problems
