"""Moving a card on a board: the same engine calls as the record page and the form.

On a board by `$state`, a move fires the transition that leads from the card's state to the
column's (the first the user may take, when several do) through `apply_transition`, the
call behind the record page's buttons, so every rule holds here as there: roles, owner,
guard, required fields, scope, version. A step that asks for a comment or an approval vote
is not taken from a drag: the answer says so and links to the record, where the form asks
for them. On a board by a choice field, a move sets the field through `update_record` at
the version the card was drawn with. A refusal changes nothing and comes back with the
engine's reason in the user's language and the status the API would answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.definitions.model import Module
from engine.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TransitionRefused,
    ValidationFailed,
)
from engine.records import get_record, update_record
from engine.records.model import Record
from engine.workflow import TransitionOption, apply_transition, available_transitions
from web.errors import status_of
from web.pages.board_columns import STATE, Lane, lane_of
from web.pages.formatting import record_title, state_title, step_title
from web.problems import problem_message

# what a move may be refused with: each answered with its reason, never an error page
REFUSALS = (TransitionRefused, Conflict, ValidationFailed, PermissionDenied, NotFound)


@dataclass(frozen=True)
class Outcome:
    """What a move did, or why it did not: a sentence for the board and an HTTP status."""

    message: str
    status: int = 200
    record_url: str | None = None  # where the step can be taken instead

    @property
    def moved(self) -> bool:
        return self.status < 400


def move_card(
    session: Session, module: Module, by: str, record_id: str, version: int, key: str, who: Actor
) -> Outcome:
    """Move a record to the column `key` of the board by `by`, at `version`."""
    lane = lane_of(module, by, key)
    if lane is None:
        return Outcome(_("This board has no such column."), 400)
    try:
        item = get_record(session, module, record_id, who)
        if item.version != version:
            raise StaleVersion(record_id, item.version, version)
        if by == STATE:
            return _take_step(session, module, item, version, lane, who)
        update_record(session, module, item.id, version, {by: lane.value}, who)
    except REFUSALS as error:
        reasons = "; ".join(dict.fromkeys(problem_message(p) for p in error.problems))
        return Outcome(reasons, status_of(error))
    return Outcome(
        _("%(record)s moved to %(column)s.", record=record_title(module, item), column=lane.title)
    )


def _steps_to(
    session: Session, module: Module, item: Record, target: str, who: Actor
) -> list[TransitionOption]:
    """The transitions from the record's state to `target`, each open to `who` or not."""
    workflow = module.workflow
    if workflow is None:
        return []
    return [
        option
        for option in available_transitions(session, module, item.id, who)
        if option.target == target
        and (step := workflow.transition(option.id)) is not None
        and item.state in step.sources
    ]


def _take_step(
    session: Session, module: Module, item: Record, version: int, lane: Lane, who: Actor
) -> Outcome:
    title = record_title(module, item)
    if item.state == lane.value:
        return Outcome(_("%(record)s is already in %(column)s.", record=title, column=lane.title))
    options = _steps_to(session, module, item, lane.key, who)
    if not options:
        return Outcome(
            _(
                "No step leads from %(from)s to %(to)s.",
                **{"from": state_title(module, item.state), "to": lane.title},
            ),
            409,
        )
    chosen = next((o for o in options if o.available), options[0])
    step = step_title(module, chosen.id)
    if chosen.available and (chosen.vote or chosen.comment == "required"):
        if chosen.vote:
            why = _("%(step)s is an approval: cast your vote on the record's page.", step=step)
        else:
            why = _("%(step)s needs a comment: take it on the record's page.", step=step)
        return Outcome(why, 409, url_for("record.show", module_id=module.id, record_id=item.id))
    try:
        apply_transition(session, module, item.id, chosen.id, who, version=version)
    except TransitionRefused as error:
        return Outcome(
            _("%(step)s: %(reason)s", step=step, reason=problem_message(error.problem)),
            status_of(error),
        )
    return Outcome(_("%(record)s moved to %(column)s.", record=title, column=lane.title))
