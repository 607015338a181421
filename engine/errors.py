"""One hierarchy of errors, each carrying its place and its code, so callers answer precisely.

A problem is `(path, code, params)`: a JSON Pointer, a stable machine key (engine/codes.py)
and the values the sentence names. The English sentence is made from the code here; web/
makes it in the reader's language from the same code. Each reason a request is refused is
a class of its own, and each class sits under the category that answers it (NotFound,
PermissionDenied, Conflict, ValidationFailed...): web/ maps class → HTTP status once, by
walking the class hierarchy. The engine never thinks in HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from engine.codes import MESSAGES
from engine.codes_expressions import PACK_CODES


class FormworkError(Exception):
    """Base of every error the engine raises on purpose.

    Every error answers `problems`: what went wrong, where, under which code. An error made
    from a bare sentence carries it under its class's `code` as the `detail` parameter.
    """

    code: ClassVar[str] = "invalid"

    def __init__(self, message: str = "", *args: Any, code: str | None = None, **params: Any):
        self._problem = Problem("", code, params) if code is not None else None
        super().__init__(self._problem.message if self._problem else message, *args)

    @property
    def problems(self) -> list[Problem]:
        if self._problem is not None:
            return [self._problem]
        return [Problem("", self.code, {"detail": str(self)})]


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


def _bounded_value(value: Any) -> Any:
    if isinstance(value, str):
        return bounded(value)
    if isinstance(value, (list, tuple)):
        return bounded(", ".join(map(str, value)))
    return value


def render(code: str, params: Mapping[str, Any]) -> str:
    """The English sentence of `code` with its params (the code itself if they do not fit)."""
    template = MESSAGES.get(code, "{detail}")
    try:
        return template.format_map(params)
    except (KeyError, IndexError, ValueError):
        return f"{code}: {dict(params)}"


class Problem:
    """One located problem: a JSON Pointer, a code from engine/codes.py and its params.

    `Problem(path, code, params)`. A second argument that is not a known code is a sentence
    of its own (packs, accounts and webhooks still word theirs): it travels under the code
    `invalid` with the sentence as `detail`, so nothing said is ever lost.
    """

    __slots__ = ("path", "code", "params", "message")

    def __init__(self, path: str, code: str, params: Mapping[str, Any] | None = None):
        if code not in MESSAGES:
            code, params = "invalid", {"detail": code}
        self.path: str = bounded(path)
        self.code: str = code
        self.params: Mapping[str, Any] = MappingProxyType(
            {k: _bounded_value(v) for k, v in (params or {}).items()}
        )
        self.message: str = bounded(render(code, self.params))

    def _key(self) -> tuple[str, str, str]:
        return (self.path, self.code, self.message)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Problem({self.path!r}, {self.code!r}, {dict(self.params)!r})"

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


class ProblemsError(FormworkError):
    """An error made of one or more located problems, all reported at once."""

    def __init__(self, problems: Iterable[Problem]):
        self._problems: list[Problem] = sorted(set(problems), key=lambda p: (p.path, p.message))
        super().__init__("; ".join(f"{p.path or '/'}: {p.message}" for p in self._problems))

    @property
    def problems(self) -> list[Problem]:
        return self._problems

    def as_list(self) -> list[dict[str, str]]:
        return [p.as_dict() for p in self.problems]


class DefinitionError(ProblemsError):
    """A pack that breaks the pack format: nothing of it is imported."""


class ValidationFailed(ProblemsError):
    """Record data, a filter or a query that does not fit the module."""


class UpgradeRefused(ProblemsError):
    """A pack upgrade that existing records would not survive."""


class ExpressionError(FormworkError):
    """An expression that cannot be parsed, checked or evaluated.

    `ExpressionError(code=..., position=..., **params)`: a code of engine/codes_expressions.py,
    the params its sentence names and the character of the author's text it is about (None
    until the evaluator or the SQL translator knows which part failed). `reason` is the code
    a pack check reports it under.
    """

    def __init__(self, *, code: str, position: int | None = None, **params: Any):
        self.position = position
        self.params = params
        self.problem = Problem("", code, {**params, "position": position})
        self.message = self.problem.message
        self.reason = PACK_CODES.get(code, "expression_unreadable")
        where = f" (at character {position})" if position is not None else ""
        super().__init__(f"{self.message}{where}")

    @property
    def problems(self) -> list[Problem]:
        return [self.problem]

    def wrapped(self, **outer: Any) -> dict[str, Any]:
        """Params of a problem that reports this error inside its own sentence.

        The English `detail`, the position and the error's own code (`expression_code`) with
        its params, so a reader in another language gets the inner sentence translated too.
        """
        return {
            **self.params,
            **outer,
            "detail": str(self),
            "position": self.position,
            "expression_code": self.problem.code,
        }

    def at(self, position: int) -> ExpressionError:
        """The same error, placed at `position` of the author's text."""
        return ExpressionError(code=self.problem.code, position=position, **self.params)


class NotFound(FormworkError):
    """Unknown, or outside what the caller may see: the two are never told apart."""

    code = "not_found"


class PermissionDenied(FormworkError):
    """The caller is known but may not do this."""

    code = "not_allowed"


class Conflict(FormworkError):
    """A stale version or a concurrent change: nothing was written."""

    code = "conflict"


class StaleVersion(Conflict):
    """The record was changed since the caller read it."""

    code = "stale_version"

    def __init__(self, record_id: str, version: int | None = None, given: int | None = None):
        self.record_id = record_id
        code = self.code if given is not None else "changed_meanwhile"
        self.problem = Problem(
            "/version", code, {"record": record_id, "version": version, "given": given}
        )
        super().__init__(self.problem.message)

    @property
    def problems(self) -> list[Problem]:
        return [self.problem]


class StateLocked(Conflict):
    """The record's workflow state forbids this action (a read-only or final state)."""

    def __init__(self, reason: Problem | str, state: str | None, action: str):
        self.problem = (
            reason if isinstance(reason, Problem) else Problem("", "conflict", {"detail": reason})
        )
        self.reason = self.problem.message
        self.state = state
        self.action = action
        super().__init__(self.reason)

    @property
    def problems(self) -> list[Problem]:
        return [self.problem]


class TransitionRefused(FormworkError):
    """A workflow transition that may not fire now; each reason is a subclass.

    `TransitionRefused(transition, state, **params)` in a subclass names the reason by its
    `code`; the base class keeps a free sentence (`reason=`) under the code `refused`.
    """

    code = "refused"
    path: ClassVar[str] = ""

    def __init__(
        self,
        transition: str,
        state: str | None,
        reason: str | None = None,
        *,
        problem: Problem | None = None,
        **params: Any,
    ):
        self.transition = transition
        self.state = state
        if reason is not None:
            params = {"detail": reason, **params}
        if problem is None:
            params = {"transition": transition, "state": state, **params}
            problem = Problem(self.path, self.code, params)
        self.problem = problem
        self.reason = problem.message
        super().__init__(f"transition {transition!r} from state {state!r} refused: {self.reason}")

    @property
    def problems(self) -> list[Problem]:
        return [self.problem]


def refusal(
    cls: type[TransitionRefused], transition: str, state: str | None, **params: Any
) -> Problem:
    """The problem `cls` would raise, for a transition offered but not available."""
    return cls(transition, state, **params).problem


def refused_as(problem: Problem, transition: str, state: str | None) -> TransitionRefused:
    """The exception to raise for a refusal `problem` (found by its code)."""
    classes: list[type[TransitionRefused]] = [TransitionRefused]
    for cls in classes:
        if cls.code == problem.code:
            return cls(transition, state, problem=problem)
        classes.extend(cls.__subclasses__())
    return TransitionRefused(transition, state, problem=problem)


class WrongState(Conflict, TransitionRefused):
    """The record is not in a state the transition leaves from."""

    code = "wrong_state"


class FinalState(Conflict, TransitionRefused):
    """The record's state forbids every transition (a final state)."""

    code = "state_locked"


class StateFieldsLocked(Conflict, TransitionRefused):
    code = "state_fields_locked"


class VotesCast(Conflict, TransitionRefused):
    code = "votes_cast"


class AlreadyVoted(Conflict, TransitionRefused):
    code = "already_voted"


class ApprovalClosed(Conflict, TransitionRefused):
    code = "approval_closed"


class OwnerOnly(PermissionDenied, TransitionRefused):
    code = "owner_only"


class RoleRequired(PermissionDenied, TransitionRefused):
    code = "role_required"


class OwnerMayNotApprove(PermissionDenied, TransitionRefused):
    code = "owner_may_not_approve"


class NotApprover(PermissionDenied, TransitionRefused):
    code = "not_approver"


class NoWorkflow(NotFound, TransitionRefused):
    code = "no_workflow"


class UnknownTransition(NotFound, TransitionRefused):
    code = "unknown_transition"


class NotAnApproval(NotFound, TransitionRefused):
    code = "not_an_approval"


class MissingFields(TransitionRefused):
    code = "missing_fields"


class GuardFailed(TransitionRefused):
    code = "guard_failed"


class GuardMessage(GuardFailed):
    """The guard does not hold and the pack says why in its own `message`."""

    code = "guard_message"


class GuardError(TransitionRefused):
    code = "guard_error"


class CommentRequired(TransitionRefused):
    code = "comment_required"
    path = "/comment"


class CommentNotAllowed(TransitionRefused):
    code = "comment_not_allowed"
    path = "/comment"


class AlreadyApprover(TransitionRefused):
    code = "already_approver"
    path = "/user"


class ApproverCannotRead(TransitionRefused):
    code = "approver_cannot_read"
    path = "/user"


class BatchFailed(FormworkError):
    """Some items of a batch are invalid: nothing of the batch was written."""

    def __init__(self, items: Iterable[tuple[int, Problem]]):
        self.items = sorted(items, key=lambda item: (item[0], item[1].path))
        super().__init__("; ".join(f"item {i} {p.path or '/'}: {p.message}" for i, p in self.items))

    @property
    def problems(self) -> list[Problem]:
        return [p for _, p in self.items]

    def as_list(self) -> list[dict[str, object]]:
        return [{"index": i, **p.as_dict()} for i, p in self.items]
