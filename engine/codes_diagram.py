"""Problem codes of the drawing of a workflow (engine/builder/diagram.py).

Kept beside engine/codes.py (which merges them into MESSAGES). The drawing reads a draft as
the admin types it, so it says what it could not draw (a shape it cannot read, a state a
transition names that does not exist) and what a manager should fix before publishing (a
state nothing leads to, a state nothing leaves).
"""

from __future__ import annotations

CHECKS: dict[str, str] = {
    "diagram_not_json": "the workflow is not valid JSON: {detail}",
    "diagram_shape": (
        "{what} must be {kind}: a workflow is an object with initial, states "
        "(an object of states) and transitions (a list of transitions)"
    ),
    "diagram_too_large": "a workflow to draw may hold at most {limit} {what}; this one has {count}",
    "diagram_no_states": "the workflow has no states: add at least the initial state",
    "diagram_unknown_initial": "the initial state {state!r} is not one of the states: {states}",
    "diagram_unknown_state": (
        "transition {transition!r} names state {state!r}, which is not one of the states: {states}"
    ),
    "diagram_unreachable": (
        "state {state!r} cannot be reached from the initial state: no chain of transitions "
        "leads to it; add a transition into it or remove it"
    ),
    "diagram_dead_end": (
        "state {state!r} is not final and no transition leaves it: a record that reaches it "
        "is stuck; add a transition out of it or mark it final"
    ),
}
