"""Messages, in the reader's language, of the codes in engine/codes_diagram.py.

The problems a workflow drawing shows beside it: a draft it cannot read, a transition to a
state that does not exist, a state nothing leads to, a state nothing leaves. JSON keys and
state ids are quoted as written in the pack; the JSON parser's own detail is shown as said.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]


def _kind(p: Params) -> str:
    """The shape a part must have (engine.builder.diagram_graph.SHAPES), translated."""
    kinds: dict[str, Callable[[], str]] = {
        "an object": lambda: _("an object"),
        "a list": lambda: _("a list"),
        "a state id": lambda: _("a state id"),
        "a state id or a list of state ids": lambda: _("a state id or a list of state ids"),
    }
    kind = str(p.get("kind"))
    return kinds[kind]() if kind in kinds else kind


def _what(p: Params) -> str:
    what = str(p.get("what"))
    words: dict[str, Callable[[], str]] = {
        "states": lambda: _("states"),
        "transitions": lambda: _("transitions"),
        "characters": lambda: _("characters"),
    }
    return words[what]() if what in words else what


CHECKS: dict[str, Callable[[Params], str]] = {
    "diagram_not_json": lambda p: _(
        "The workflow is not valid JSON: %(detail)s", detail=p.get("detail")
    ),
    "diagram_shape": lambda p: _(
        "%(what)s must be %(kind)s: a workflow is an object with initial, states (an object "
        "of states) and transitions (a list of transitions).",
        what=p.get("what"),
        kind=_kind(p),
    ),
    "diagram_too_large": lambda p: _(
        "A workflow to draw may hold at most %(limit)s %(what)s; this one has %(count)s.",
        limit=p.get("limit"),
        what=_what(p),
        count=p.get("count"),
    ),
    "diagram_no_states": lambda p: _("The workflow has no states: add at least the initial state."),
    "diagram_unknown_initial": lambda p: _(
        "The initial state %(state)s is not one of the states: %(states)s.",
        state=p.get("state"),
        states=p.get("states"),
    ),
    "diagram_unknown_state": lambda p: _(
        "Transition %(transition)s names state %(state)s, which is not one of the states: "
        "%(states)s.",
        transition=p.get("transition"),
        state=p.get("state"),
        states=p.get("states"),
    ),
    "diagram_unreachable": lambda p: _(
        "State %(state)s cannot be reached from the initial state: no chain of transitions "
        "leads to it. Add a transition into it or remove it.",
        state=p.get("state"),
    ),
    "diagram_dead_end": lambda p: _(
        "State %(state)s is not final and no transition leaves it: a record that reaches it "
        "is stuck. Add a transition out of it or mark it final.",
        state=p.get("state"),
    ),
}
