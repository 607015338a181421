"""A refused pack's text, line by line, with each problem under the line it points at.

The engine names a problem by a JSON Pointer (engine/packs/pointers.py finds its line); text
that is not JSON at all is placed where the parser stopped. Every problem is also listed on
top, in the reader's language with its code and pointer, so none is missed on a long pack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.errors import Problem
from engine.packs.pointers import PointerMap, Position, syntax_error
from web.problems import problem_message

SHOWN_TEXT = 1024 * 1024  # characters of the sent text shown; past that, only the problems
AT_SYNTAX_ERROR = frozenset({"not_json"})


@dataclass(frozen=True)
class ShownProblem:
    message: str
    code: str
    pointer: str
    line: int | None
    column: int | None


@dataclass
class Line:
    number: int
    text: str
    problems: list[ShownProblem] = field(default_factory=list)


@dataclass
class Annotated:
    """Every problem, and the text's lines when it is shown (with its problems on them)."""

    problems: list[ShownProblem]
    lines: list[Line]


def _position(problem: Problem, text: str, places: PointerMap) -> Position | None:
    if problem.code in AT_SYNTAX_ERROR:
        return syntax_error(text)
    return places.locate(problem.path)


def annotate(text: str, problems: Iterable[Problem]) -> Annotated:
    """The problems placed on `text` (an empty text, or one too long to show: listed only)."""
    shown = bool(text) and len(text) <= SHOWN_TEXT
    places = PointerMap(text if shown else "")
    found: list[ShownProblem] = []
    for problem in problems:
        where = _position(problem, text, places) if shown else None
        found.append(
            ShownProblem(
                problem_message(problem),
                problem.code,
                problem.path,
                where.line if where else None,
                where.column if where else None,
            )
        )
    rows = text.split("\n") if shown else []  # json counts lines by "\n" only, as here
    lines = [Line(n, t.removesuffix("\r")) for n, t in enumerate(rows, start=1)]
    for item in found:
        if item.line is not None and item.line <= len(lines):
            lines[item.line - 1].problems.append(item)
    return Annotated(sorted(found, key=lambda p: (p.line or 0, p.pointer)), lines)
