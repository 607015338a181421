"""The drawing of a module's state machine, redrawn as the admin edits its workflow.

`draw_workflow(raw, ...)` takes the raw `workflow` object of a pack (so a draft that does
not compile yet still draws) and answers a `Drawing`: the SVG text and the problems a
manager should see beside it. The road: engine/builder/diagram_graph.py reads the states
and arrows and flags unreachable states and dead ends; engine/builder/diagram_layout.py
places the states in columns by their distance from the initial state and routes the
arrows; engine/builder/diagram_svg.py writes the SVG, every word escaped. A workflow whose
shape cannot be read raises a DefinitionError with its problems. The same input always
gives the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.builder.diagram_graph import MAX_STATES, MAX_TRANSITIONS, Context, Graph, State, Words
from engine.builder.diagram_graph import build_graph as build_graph
from engine.builder.diagram_layout import place
from engine.builder.diagram_svg import to_svg
from engine.errors import DefinitionError, Problem
from engine.exactjson import loads

__all__ = [
    "MAX_STATES",
    "MAX_TRANSITIONS",
    "Drawing",
    "Words",
    "build_graph",
    "draw_workflow",
    "read_roles",
    "read_titles",
    "read_workflow_text",
]


@dataclass(frozen=True)
class Drawing:
    """The SVG of a workflow and its problems; `badges` numbers the problems on states."""

    svg: str
    problems: tuple[Problem, ...]
    graph: Graph
    width: float
    height: float


def state_marks(state: State, words: Words, short: bool = False) -> str:
    """The line under a state's title: final or read-only, due time and what follows.

    `short` is the drawn line, the due time first (`2 d · read-only`, drawn after a clock;
    the dotted arrow says what follows); the long one, with the words, is the tooltip.
    """
    parts = [state.due] if state.due and short else []
    parts += [words.final] if state.final else []
    if state.readonly and not state.final:
        parts.append(words.readonly)
    if state.due and not short:
        parts.append(words.due.format(duration=state.due))
    if state.on_due and not short:
        parts.append(words.on_due.format(transition=state.on_due))
    return " · ".join(parts)


def draw_workflow(
    raw: Any,
    *,
    roles: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
    language: str = "en",
    words: Words | None = None,
    title: str = "",
    ident: str = "wf",
) -> Drawing:
    """The drawing of `raw` with role and field titles in `language` (see module docstring)."""
    words = words or Words()
    ctx = Context(roles or {}, fields or {}, language, words)
    graph = build_graph(raw, ctx)
    layout = place(graph)
    badges: dict[str, list[int]] = {}
    for number, problem in enumerate(graph.problems, start=1):
        state = problem.params.get("state")
        if problem.code in ("diagram_unreachable", "diagram_dead_end") and isinstance(state, str):
            badges.setdefault(state, []).append(number)
    marks = {
        key: (state_marks(state, words, short=True), state_marks(state, words))
        for key, state in graph.states.items()
    }
    svg = to_svg(layout, marks, badges, title, ident)
    return Drawing(svg, tuple(graph.problems), graph, layout.width, layout.height)


MAX_TEXT = 256 * 1024  # characters of a workflow sent as JSON text to be drawn


def read_workflow_text(text: str) -> Any:
    """The workflow in JSON `text` (what the builder sends as the admin types)."""
    if len(text) > MAX_TEXT:
        params = {"limit": MAX_TEXT, "what": "characters", "count": len(text)}
        raise DefinitionError([Problem("", "diagram_too_large", params)])
    try:
        return loads(text)
    except (ValueError, RecursionError) as error:  # NumberRefused is a ValueError
        detail = str(error) if isinstance(error, ValueError) else "nested too deeply"
        raise DefinitionError([Problem("", "diagram_not_json", {"detail": detail})]) from None


def read_roles(raw: Any) -> dict[str, Any]:
    """Role titles by id from a pack's `roles` list (or an object of id → title)."""
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        return {str(k): v for k, v in raw.items()}
    if isinstance(raw, list) and all(
        isinstance(r, Mapping) and isinstance(r.get("id"), str) for r in raw
    ):
        return {r["id"]: r.get("title", r["id"]) for r in raw}
    raise DefinitionError([Problem("/roles", "diagram_shape", {"what": "roles", "kind": "a list"})])


def read_titles(raw: Any) -> dict[str, Any]:
    """Field titles by name from an object of name → localized title (None: no titles)."""
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        return {str(k): v for k, v in raw.items()}
    raise DefinitionError(
        [Problem("/fields", "diagram_shape", {"what": "fields", "kind": "an object"})]
    )
