"""One hierarchy of errors, each carrying its place, so callers can answer precisely.

web/ maps each class to a status code in one place; the engine never thinks in HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class FormworkError(Exception):
    """Base of every error the engine raises on purpose."""


MAX_PROBLEM_TEXT = 300  # characters of a problem's path or message


def bounded(text: str, limit: int = MAX_PROBLEM_TEXT) -> str:
    """`text` cut in the middle past `limit` characters, saying how much was left out.

    Messages quote the value they refuse (a 5,000-row child table, a 100 kB choice); the
    answer must stay small whatever was sent, so the quote keeps its start and its end.
    """
    if len(text) <= limit:
        return text
    head = (limit - 30) * 2 // 3
    tail = limit - 30 - head
    return f"{text[:head]} …[{len(text) - head - tail} characters]… {text[-tail:]}"


@dataclass(frozen=True)
class Problem:
    """One located problem: a JSON Pointer into the input and a plain message (both bounded)."""

    path: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", bounded(self.path))
        object.__setattr__(self, "message", bounded(self.message))

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class ProblemsError(FormworkError):
    """An error made of one or more located problems, all reported at once."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(set(problems), key=lambda p: (p.path, p.message))
        super().__init__("; ".join(f"{p.path or '/'}: {p.message}" for p in self.problems))

    def as_list(self) -> list[dict[str, str]]:
        return [p.as_dict() for p in self.problems]


class DefinitionError(ProblemsError):
    """A pack that breaks the pack format: nothing of it is imported."""


class ValidationFailed(ProblemsError):
    """Record data, a filter or a query that does not fit the module."""


class ExpressionError(FormworkError):
    """An expression that cannot be parsed, checked or evaluated."""

    def __init__(self, message: str, position: int | None = None):
        self.message = message
        self.position = position
        where = f" (at character {position})" if position is not None else ""
        super().__init__(f"{message}{where}")


class NotFound(FormworkError):
    """Unknown, or outside what the caller may see: the two are never told apart."""


class PermissionDenied(FormworkError):
    """The caller is known but may not do this."""


class Conflict(FormworkError):
    """A stale version or a concurrent change: nothing was written."""


class UpgradeRefused(ProblemsError):
    """A pack upgrade that existing records would not survive."""


class TransitionRefused(FormworkError):
    """A workflow transition that may not fire now, with the reason."""

    def __init__(self, transition: str, state: str | None, reason: str):
        self.transition = transition
        self.state = state
        self.reason = reason
        super().__init__(f"transition {transition!r} from state {state!r} refused: {reason}")


class BatchFailed(FormworkError):
    """Some items of a batch are invalid: nothing of the batch was written."""

    def __init__(self, items: Iterable[tuple[int, Problem]]):
        self.items = sorted(items, key=lambda item: (item[0], item[1].path))
        super().__init__("; ".join(f"item {i} {p.path or '/'}: {p.message}" for i, p in self.items))

    def as_list(self) -> list[dict[str, object]]:
        return [{"index": i, **p.as_dict()} for i, p in self.items]


class StateLocked(Conflict):
    """The record's workflow state forbids this action (a read-only or final state)."""

    def __init__(self, reason: str, state: str | None, action: str):
        self.reason = reason
        self.state = state
        self.action = action
        super().__init__(reason)
