"""The graph of a workflow drawing: its states and arrows, its flaws, its layers and rows.

Reads the raw `workflow` object of a pack (PACK_FORMAT.md, "workflow"), not the compiled
module, so that a draft which does not compile yet still draws (engine/builder/diagram.py
tells the whole road). `read_graph` gives the states and arrows, or a DefinitionError when
the shape cannot be read at all; `analyse` flags unreachable states and dead ends and gives
each state its layer (distance from the initial state) and its row. Words of the drawing
that are not pack text (read-only, final, quorum words) come from `Words`, which web/ fills
in the reader's language.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from engine.errors import DefinitionError, Problem
from engine.i18n import localize

MAX_STATES = 40
MAX_TRANSITIONS = 160


@dataclass(frozen=True)
class Words:
    """The drawing's own words, English by default; `{n}`/`{who}`/`{duration}` are filled in."""

    readonly: str = "read-only"
    final: str = "final"
    due: str = "due in {duration}"
    on_due: str = "then {transition}"
    days: str = "{n} d"
    hours: str = "{n} h"
    minutes: str = "{n} min"
    weeks: str = "{n} wk"
    quorum_any: str = "any one of {who}"
    quorum_all: str = "all of {who}"
    quorum_count: str = "{n} votes of {who}"
    quorum_share: str = "{n} of {who}"
    field_approvers: str = "user in {who}"
    owner_only: str = "owner only"
    comment_required: str = "comment required"
    no_self_approval: str = "not the owner"
    withdraw: str = "withdraw"
    automatic: str = "automatic"


@dataclass(frozen=True)
class State:
    """One state as drawn: its title in the reader's language and its markers."""

    id: str
    title: str
    color: str
    readonly: bool
    final: bool
    due: str | None
    on_due: str | None  # the title of the transition fired when the state is overdue
    initial: bool = False
    unreachable: bool = False
    dead_end: bool = False
    layer: int = 0
    row: int = 0


@dataclass(frozen=True)
class Arrow:
    """One transition out of one of its `from` states: its label lines and small marks."""

    id: str
    source: str
    target: str
    title: str
    roles: tuple[str, ...]
    approval: str | None  # "any one of Site manager", in the reader's language
    marks: tuple[str, ...]
    automatic: bool = False  # fired by the clock: its source state's `on_due`


@dataclass
class Graph:
    """States in declared order, arrows in transition order, and what could not be drawn."""

    initial: str | None
    states: dict[str, State]
    arrows: list[Arrow]
    problems: list[Problem] = field(default_factory=list)


SHAPES = ("an object", "a list", "a state id", "a state id or a list of state ids")


def _shape(path: str, what: str, kind: str) -> Problem:
    """`what` (a JSON key, as written) is not of `kind` (one of SHAPES)."""
    return Problem(path, "diagram_shape", {"what": what, "kind": kind})


def _check_shape(raw: Any) -> list[Problem]:
    """Problems that stop the drawing: a workflow whose parts are not what they must be."""
    if not isinstance(raw, Mapping):
        return [_shape("", "workflow", "an object")]
    states, transitions = raw.get("states", {}), raw.get("transitions", [])
    problems: list[Problem] = []
    if not isinstance(states, Mapping):
        problems.append(_shape("/states", "states", "an object"))
    elif len(states) > MAX_STATES:
        params = {"limit": MAX_STATES, "what": "states", "count": len(states)}
        problems.append(Problem("/states", "diagram_too_large", params))
    else:
        for key, state in states.items():
            if not isinstance(state, Mapping):
                problems.append(_shape(f"/states/{key}", f"states.{key}", "an object"))
    if not isinstance(transitions, (list, tuple)):
        problems.append(_shape("/transitions", "transitions", "a list"))
    elif len(transitions) > MAX_TRANSITIONS:
        params = {"limit": MAX_TRANSITIONS, "what": "transitions", "count": len(transitions)}
        problems.append(Problem("/transitions", "diagram_too_large", params))
    else:
        for index, item in enumerate(transitions):
            problems.extend(_check_transition(index, item))
    initial = raw.get("initial")
    if initial is not None and not isinstance(initial, str):
        problems.append(_shape("/initial", "initial", "a state id"))
    return problems


def _check_transition(index: int, item: Any) -> list[Problem]:
    path = f"/transitions/{index}"
    if not isinstance(item, Mapping):
        return [_shape(path, f"transitions[{index}]", "an object")]
    sources = item.get("from")
    if not (
        isinstance(sources, str)
        or (isinstance(sources, (list, tuple)) and all(isinstance(s, str) for s in sources))
    ):
        return [_shape(f"{path}/from", f"transitions[{index}].from", SHAPES[3])]
    if not isinstance(item.get("to"), str):
        return [_shape(f"{path}/to", f"transitions[{index}].to", "a state id")]
    return []


def duration_text(value: Any, words: Words) -> str:
    """`P2D` → "2 d", `PT4H` → "4 h"; anything else is shown as written."""
    match = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", str(value))
    if not match or not any(match.groups()):
        return str(value)
    units = (words.weeks, words.days, words.hours, words.minutes)
    return " ".join(u.format(n=n) for u, n in zip(units, match.groups(), strict=True) if n)


def _who(approvers: Any, roles: Mapping[str, Any], fields: Mapping[str, Any], language: str,
         words: Words) -> str:  # fmt: skip
    if isinstance(approvers, Mapping) and isinstance(approvers.get("role"), str):
        role = approvers["role"]
        return _text(roles.get(role, role), language)
    if isinstance(approvers, Mapping) and isinstance(approvers.get("field"), str):
        name = approvers["field"]
        return words.field_approvers.format(who=_text(fields.get(name, name), language))
    return "?"


def approval_text(approval: Any, who: str, words: Words) -> str:
    """The quorum in words: any one / all / N / N% of the approvers."""
    quorum = approval.get("quorum", "any") if isinstance(approval, Mapping) else "any"
    if quorum == "all":
        return words.quorum_all.format(who=who)
    if isinstance(quorum, int) and not isinstance(quorum, bool):
        return words.quorum_count.format(n=quorum, who=who)
    if isinstance(quorum, str) and quorum.endswith("%"):
        return words.quorum_share.format(n=quorum, who=who)
    return words.quorum_any.format(who=who)


@dataclass(frozen=True)
class Context:
    """What labels are written with: the pack's role and field titles, the reader's words."""

    roles: Mapping[str, Any]
    fields: Mapping[str, Any]
    language: str
    words: Words


def _arrow(item: Mapping[str, Any], index: int, source: str, ctx: Context,
           automatic: bool = False) -> Arrow:  # fmt: skip
    words, language = ctx.words, ctx.language
    tid = str(item.get("id") or f"#{index + 1}")
    roles = item.get("roles")
    listed = roles if isinstance(roles, (list, tuple)) else ()
    role_titles = tuple(_text(ctx.roles.get(r, r), language) for r in listed if isinstance(r, str))
    approval = item.get("approval")
    vote = None
    if isinstance(approval, Mapping):
        who = _who(approval.get("approvers"), ctx.roles, ctx.fields, language, words)
        vote = approval_text(approval, who, words)
    marks = [words.automatic] if automatic else []
    if item.get("owner_only") is True:
        marks.append(words.owner_only)
    if item.get("comment") == "required":
        marks.append(words.comment_required)
    if vote and item.get("self_approval") is False:
        marks.append(words.no_self_approval)
    if item.get("withdraw") is True:
        marks.append(words.withdraw)
    title = _text(item.get("title"), language) or tid
    return Arrow(tid, source, str(item["to"]), title, role_titles, vote, tuple(marks), automatic)


def _text(value: Any, language: str) -> str:
    """Localized pack text as a string, whatever a draft holds there."""
    return str(localize(value, language)) if value is not None else ""


def _state(key: str, raw: Mapping[str, Any], titles: Mapping[str, str], ctx: Context) -> State:
    due = duration_text(raw["due"], ctx.words) if raw.get("due") else None
    if isinstance(raw.get("due"), Mapping):  # due on a date field of the record
        due = str(raw["due"].get("field"))
    on_due = raw.get("on_due")
    color = raw.get("color")
    return State(
        id=key,
        title=_text(raw.get("title"), ctx.language) or key,
        color=color if isinstance(color, str) and color.isalpha() else "gray",
        readonly=raw.get("readonly") is True,
        final=raw.get("final") is True,
        due=due,
        on_due=titles.get(on_due, str(on_due)) if isinstance(on_due, str) else None,
    )


def read_graph(raw: Any, ctx: Context) -> Graph:
    """States and arrows of a raw workflow; a DefinitionError when its shape is unreadable."""
    shape = _check_shape(raw)
    if shape:
        raise DefinitionError(shape)
    transitions: Sequence[Mapping[str, Any]] = raw.get("transitions", ())
    titles = {str(t.get("id")): _text(t.get("title"), ctx.language) or str(t.get("id")) for t in transitions}  # fmt: skip
    states = {str(k): _state(str(k), v, titles, ctx) for k, v in raw.get("states", {}).items()}
    graph = Graph(raw.get("initial"), states, [])
    names = ", ".join(states) or "—"
    for index, item in enumerate(transitions):
        sources = [item["from"]] if isinstance(item["from"], str) else item["from"]
        missing = [s for s in dict.fromkeys([*sources, item["to"]]) if s not in states]
        for state in missing:
            params = {
                "transition": item.get("id") or f"#{index + 1}",
                "state": state,
                "states": names,
            }
            graph.problems.append(Problem(f"/transitions/{index}", "diagram_unknown_state", params))
        for source in sources:
            if source in states and item["to"] in states:
                auto = item.get("id") is not None and raw["states"][source].get(
                    "on_due"
                ) == item.get("id")
                graph.arrows.append(_arrow(item, index, source, ctx, auto))
    return graph


def _reach(start: str, arrows: list[Arrow], among: set[str]) -> dict[str, int]:
    """Distance of each state reachable from `start` (within `among`), breadth first."""
    distance = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for arrow in arrows:
            if arrow.source == here and arrow.target in among and arrow.target not in distance:
                distance[arrow.target] = distance[here] + 1
                queue.append(arrow.target)
    return distance


def analyse(graph: Graph) -> Graph:
    """Flag unreachable states and dead ends, and give each state its layer and row."""
    states, arrows = graph.states, graph.arrows
    if not states:
        graph.problems.append(Problem("/states", "diagram_no_states", {}))
        return graph
    known_initial = graph.initial in states
    if graph.initial is not None and not known_initial:
        params = {"state": graph.initial, "states": ", ".join(states)}
        graph.problems.append(Problem("/initial", "diagram_unknown_initial", params))
    root = graph.initial if known_initial and graph.initial else next(iter(states))
    layers = _reach(root, arrows, set(states))
    reachable = set(layers)
    rest = [s for s in states if s not in reachable]
    while rest:  # states nothing leads to: drawn below, in layers of their own
        inner = set(rest)
        fed = {a.target for a in arrows if a.source in inner and a.source != a.target}
        start = next((s for s in rest if s not in fed), rest[0])
        layers.update(_reach(start, arrows, inner))
        rest = [s for s in rest if s not in layers]
    leaving = {a.source for a in arrows if a.source != a.target}
    rows = _rows(list(states), layers, arrows, reachable)
    for key, state in states.items():
        unreachable = known_initial and key not in reachable
        dead_end = not state.final and key not in leaving
        if unreachable:
            graph.problems.append(Problem(f"/states/{key}", "diagram_unreachable", {"state": key}))
        if dead_end:
            graph.problems.append(Problem(f"/states/{key}", "diagram_dead_end", {"state": key}))
        initial = known_initial and key == root
        states[key] = replace(state, initial=initial, unreachable=unreachable,
                              dead_end=dead_end, layer=layers[key], row=rows[key])  # fmt: skip
    return graph


def _rows(order: list[str], layers: dict[str, int], arrows: list[Arrow],
          reachable: set[str]) -> dict[str, int]:  # fmt: skip
    """Rows within each layer: near the states that lead to them (one barycentre sweep)."""
    rows: dict[str, int] = {}
    index = {key: i for i, key in enumerate(order)}
    for layer in range(max(layers.values()) + 1):
        members = [s for s in order if layers[s] == layer]

        def weight(key: str) -> tuple[bool, float, int]:
            before = [rows[a.source] for a in arrows if a.target == key and a.source in rows]
            centre = sum(before) / len(before) if before else float(index[key])
            return (key not in reachable, centre, index[key])

        for row, key in enumerate(sorted(members, key=weight)):
            rows[key] = row
    return rows


def build_graph(raw: Any, ctx: Context) -> Graph:
    """The read and analysed graph of a raw workflow (see the module docstring)."""
    return analyse(read_graph(raw, ctx))
