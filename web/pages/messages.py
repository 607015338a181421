"""Engine problems in the user's language, placed beside the field they are about.

The engine reports each problem as a JSON Pointer (`/items/0/hours`), a code and its
params. The pages show each next to its field, labelled with the field's title, in the
words web/problems.py gives its code — never by reading the engine's English.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from engine.definitions.model import Module
from engine.errors import Problem
from web.pages.formatting import field_title
from web.problems import problem_message


@dataclass(frozen=True)
class ShownProblem:
    path: str  # JSON Pointer, "" for the whole record
    key: str  # the form key the problem belongs to: "hours", "items.0.hours", "" otherwise
    label: str  # the field's title, "" for the whole record
    message: str


def message_text(problem: Problem) -> str:
    """A problem in the user's language, made from its code (web/problems.py)."""
    return problem_message(problem)


reason_text = message_text  # why a transition was refused: a coded problem like any other


def form_key(path: str) -> str:
    """The form key of a JSON Pointer: `/items/0/hours` → `items.0.hours`."""
    return ".".join(part for part in path.split("/") if part)


def label_of(module: Module, path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return ""
    f = module.field(parts[0])
    if f is None:
        return parts[0]
    label = field_title(module, parts[0])
    if f.kind_type.rows and len(parts) >= 3 and parts[1].isdigit():
        column = f.child_map.get(parts[2])
        from web.i18n import text

        column_label = text(column.title) if column is not None and column.title else parts[2]
        return _(
            "%(table)s, row %(row)s: %(column)s",
            table=label,
            row=int(parts[1]) + 1,
            column=column_label,
        )
    return label


def problem_text(problem: Problem, module: Module) -> ShownProblem:
    path = problem.path if problem.path.startswith("/") or problem.path == "" else ""
    if not path and problem.path:  # a list parameter such as filter[date][gte]
        from engine.records.query import FILTER_KEY

        match = FILTER_KEY.match(problem.path)
        label = field_title(module, match.group(1)) if match else problem.path
        return ShownProblem(problem.path, problem.path, label, message_text(problem))
    return ShownProblem(path, form_key(path), label_of(module, path), message_text(problem))
