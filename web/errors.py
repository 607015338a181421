"""Engine errors → HTTP status and the JSON error body, in one place.

The engine raises errors that carry their place (engine/errors.py) and never thinks in HTTP;
this module is where each becomes a status code and `{"errors": [{"path", "message"}]}`
(path "" when the error is about the whole request). The pages reuse `status_of` so a rule
answers with the same status in the browser and in the API.

A refused transition is the one error whose status depends on its reason: the record being
in the wrong state (or the vote already cast) is a 409 conflict, a missing role or not
being an approver is 403, an unknown transition 404, and a failed guard or a missing
comment is 422 — the reasons come from engine/workflow/transitions.py.
"""

from __future__ import annotations

from typing import Any

from engine.db import TimeBudgetExceeded
from engine.errors import (
    BatchFailed,
    Conflict,
    DefinitionError,
    ExpressionError,
    FormworkError,
    NotFound,
    PermissionDenied,
    ProblemsError,
    TransitionRefused,
    UpgradeRefused,
    ValidationFailed,
    bounded,
)

# The most specific class wins: the table is searched along the error's class hierarchy.
STATUS: dict[type[FormworkError], int] = {
    FormworkError: 422,
    ProblemsError: 422,
    ValidationFailed: 422,
    DefinitionError: 422,
    UpgradeRefused: 409,
    BatchFailed: 422,
    ExpressionError: 422,
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    TransitionRefused: 422,
    TimeBudgetExceeded: 503,
}

# Reasons of TransitionRefused (their opening words) that are not a plain 422.
TRANSITION_REASONS: tuple[tuple[str, int], ...] = (
    ("the record is in", 409),
    ("the approval is not open", 409),
    ("votes have already been cast", 409),
    ("you have already voted", 409),
    ("needs one of the roles", 403),
    ("only the record's owner", 403),
    ("the owner may not approve", 403),
    ("you are not an approver", 403),
    ("module ", 404),  # "module 'x' has no workflow" / "has no transition 'y'"
    ("not an approval", 404),
)
COMMENT_REASONS = ("a comment is required", "this transition takes no comment")


def status_of(error: FormworkError) -> int:
    """The HTTP status that answers an engine error."""
    if isinstance(error, TransitionRefused):
        return next(
            (status for start, status in TRANSITION_REASONS if error.reason.startswith(start)),
            422,
        )
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]  # type: ignore[index]
    return 422


def problems_of(error: FormworkError) -> list[dict[str, Any]]:
    """The `errors` list of the JSON body: each problem with its path (and batch index)."""
    if isinstance(error, BatchFailed):
        return error.as_list()
    if isinstance(error, ProblemsError):
        return error.as_list()
    if isinstance(error, TransitionRefused):
        path = "/comment" if error.reason in COMMENT_REASONS else ""
        return [{"path": path, "message": error.reason}]
    if isinstance(error, ExpressionError):
        return [{"path": "", "message": bounded(str(error))}]
    return [{"path": "", "message": bounded(str(error))}]  # an id from the URL may be long


def error_body(problems: list[dict[str, Any]] | str, path: str = "") -> dict[str, Any]:
    """`{"errors": [...]}` from problems, or from one message about `path`."""
    if isinstance(problems, str):
        problems = [{"path": path, "message": problems}]
    return {"errors": problems}


class ApiError(Exception):
    """An HTTP-level refusal that is not an engine rule: no credentials, a bad body, ..."""

    def __init__(
        self,
        status: int,
        message: str,
        path: str = "",
        headers: dict[str, str] | None = None,
        problems: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.problems = problems or [{"path": path, "message": message}]
        self.headers = headers or {}
