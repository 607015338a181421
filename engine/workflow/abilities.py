"""A record's abilities with its workflow: the permission answer plus each step, and why not.

`engine.abilities.abilities` answers from the rules alone; the steps need the database
(guards read linked records, approvals count votes), so the workflow adds them here. The
record page reads this one object for its Edit, Delete, step, 转交 and 加签 buttons.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from engine.abilities import Abilities, StepAbility, abilities_in
from engine.actor import Actor
from engine.definitions.model import Module
from engine.records.model import Record
from engine.workflow.delegation import add_approver_refusal, delegate_refusal
from engine.workflow.transitions import available_transitions


def record_abilities(session: Session, module: Module, record: Record, actor: Actor) -> Abilities:
    """What `actor` may do with `record` now, its transitions included."""
    steps = []
    for option in available_transitions(session, module.id, record.id, actor):
        transition = module.workflow.transition(option.id) if module.workflow else None
        delegate = add = False
        if option.progress is not None and transition is not None:
            delegate = delegate_refusal(actor, option.progress) is None
            add = add_approver_refusal(actor, transition, record) is None
        steps.append(
            StepAbility(option.id, option.available, option.reason, option.progress, delegate, add)
        )
    answer = abilities_in(session, actor, module, record)
    return dataclasses.replace(answer, transitions=tuple(steps))
