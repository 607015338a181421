"""What a transition writes besides the state: its `set` values and its guard's message.

`"set": {"paid_on": "today()", "approved_amount": "amount"}` writes each field with its
expression over the record as it stands when the step fires. The new values go through the
checks every write of the records service runs (formulas recomputed, `required`, the
module's constraints and validations, links the actor may read), then are written in the
transition's own UPDATE, so the state and the fields change together or not at all, and
the transition's history row lists them. The workflow sets them, not a user: a read-only
field or a read-only target state does not stop it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.audit import diff
from engine.catalog import Catalog
from engine.definitions.model import Module, Transition
from engine.errors import (
    ExpressionError,
    GuardFailed,
    GuardMessage,
    Problem,
    ValidationFailed,
    refusal,
)
from engine.i18n import localize
from engine.records.checks import write_problems
from engine.records.compute import base_env, cast_formula_value, prepare_values
from engine.records.links import linked_values
from engine.records.model import Record


def guard_refusal(transition: Transition, state: str | None) -> Problem:
    """The refusal of a guard that does not hold: the pack's message, or a generic one.

    The message travels whole (`texts`) so each reader gets it in their language; its
    English (or only) text is the engine's sentence. The guard's expression is never said.
    """
    if transition.message is None:
        return refusal(GuardFailed, transition.id, state)
    english = localize(transition.message, "en")
    return refusal(GuardMessage, transition.id, state, message=english, texts=transition.message)


@dataclass
class Written:
    """The stored columns a transition changes and their history entries."""

    columns: dict[str, Any] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


def _evaluate(
    module: Module, transition: Transition, env: dict[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """Each `set` value in its field's type, or the problem at the field."""
    results: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, expression in transition.sets.items():
        target = module.field(name)
        if target is None:  # refused at import; a stale definition says so rather than fail
            problems.append(Problem(f"/{name}", "unknown_field", {"field": name}))
            continue
        try:
            value = cast_formula_value(target, expression.evaluate(env))
        except ExpressionError as exc:
            problems.append(Problem(f"/{name}", "cannot_compute", exc.wrapped()))
            continue
        if value is not None and target.enum is not None and value not in target.enum:
            problems.append(
                Problem(f"/{name}", "not_a_choice", {"value": value, "choices": target.enum})
            )
        results[name] = value
    return results, problems


def set_values(
    session: Session,
    catalog: Catalog,
    module: Module,
    record: Record,
    transition: Transition,
    actor: Actor,
    now: dt.datetime,
) -> Written:
    """The record's values after `transition`'s `set`, checked; ValidationFailed if refused."""
    if not transition.sets:
        return Written()
    rollups = {f.name for f in module.rollup_fields}
    values = {
        k: v for k, v in record.data.items() if module.field(k) is not None and k not in rollups
    }
    before = {k: (list(v) if isinstance(v, list) else v) for k, v in values.items()}
    (linked,) = linked_values(session, catalog, module, [values], lock=True)
    system = {**record.system(), "$updated_at": now, **linked}
    results, problems = _evaluate(module, transition, base_env(values, system, actor))
    if problems:
        raise ValidationFailed(problems)
    values.update(results)
    (linked,) = linked_values(session, catalog, module, [values], lock=True)
    after = {**record.system(), "$state": transition.target, "$updated_at": now, **linked}
    values = prepare_values(module, values, after, actor)
    # The step's roles allow the write, not the actor's `update` right (an accountant sets
    # paid_on on a request they do not own): the record must only stay in their read scope.
    located = write_problems(
        session,
        catalog,
        module,
        actor,
        "read",
        [(record.owner, values)],
        [record.data],
        ids=[record.id],
    )
    if located:
        raise ValidationFailed([p for _, p in located])
    changes = diff(module, before, values)
    changed = {c["field"] for c in changes}
    columns = {f.name: values.get(f.name) for f in module.stored_fields if f.name in changed}
    return Written(columns, changes, values)
