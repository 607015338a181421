"""Engine messages in the user's language, placed beside the field they are about.

The engine reports problems in English with a JSON Pointer (`/items/0/hours`). The pages
show each next to its field, translated: the known shapes of the engine's, marshmallow's
and jsonschema's messages are matched here and rewritten through gettext; anything else is
shown as the engine said it (never lost).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from engine.definitions.model import Module
from engine.errors import Problem
from web.pages.formatting import field_title


@dataclass(frozen=True)
class ShownProblem:
    path: str  # JSON Pointer, "" for the whole record
    key: str  # the form key the problem belongs to: "hours", "items.0.hours", "" otherwise
    label: str  # the field's title, "" for the whole record
    message: str


Rewrite = Callable[[re.Match[str]], str]

PATTERNS: tuple[tuple[re.Pattern[str], Rewrite], ...] = (
    (re.compile(r"^'[^']*' is required$"), lambda m: _("This field is required.")),
    (re.compile(r"^Missing data for required field\.$"), lambda m: _("This field is required.")),
    (re.compile(r"^Not a valid number\.$"), lambda m: _("Enter a number.")),
    (re.compile(r"^Not a valid integer\.$"), lambda m: _("Enter a whole number.")),
    (
        re.compile(r"^.* has more than (\d+) decimal places\.$"),
        lambda m: _("Use at most %(n)s decimal places.", n=m.group(1)),
    ),
    (re.compile(r"^.* is too large\.$"), lambda m: _("This number is too large.")),
    (re.compile(r"^Not a valid date\.$"), lambda m: _("Enter a date (YYYY-MM-DD).")),
    (re.compile(r"^Not a valid datetime\.$"), lambda m: _("Enter a date and time.")),
    (re.compile(r"^Not a valid boolean\.$"), lambda m: _("Choose yes or no.")),
    (re.compile(r"^Not a valid string\.$"), lambda m: _("Enter text.")),
    (re.compile(r"^.* is not one of .*\.$"), lambda m: _("Choose one of the listed values.")),
    (re.compile(r"^.* is given twice\.$"), lambda m: _("A value is chosen twice.")),
    (re.compile(r"^Expected a list of (rows|values)\.$"), lambda m: _("Expected a list.")),
    (re.compile(r"^unknown field '[^']*'$"), lambda m: _("This field is not part of the form.")),
    (re.compile(r"^Unknown field\.$"), lambda m: _("This field is not part of the form.")),
    (
        re.compile(r"^'[^']*' is computed and cannot be written$"),
        lambda m: _("This value is computed and cannot be entered."),
    ),
    (re.compile(r"^'[^']*' is read-only$"), lambda m: _("This field is read-only.")),
    (re.compile(r"^you may not write '[^']*'$"), lambda m: _("You may not change this field.")),
    (
        re.compile(r"^'[^']*' is a system value and cannot be written$"),
        lambda m: _("This value is set by the system."),
    ),
    (re.compile(r"^no \w+ record with id .*$"), lambda m: _("The linked record does not exist.")),
    (
        re.compile(r"^choose a \w+ record granted to you: "),
        lambda m: _("Choose one of the records granted to you."),
    ),
    (
        re.compile(r"^(not a file you uploaded for this field|the file's name, type or size)"),
        lambda m: _("Upload the file for this field first."),
    ),
    (
        re.compile(r"^no active user named .*$"),
        lambda m: _("There is no active user of this name."),
    ),
    (
        re.compile(r"^(-?[\d.]+) is less than the minimum of (-?[\d.]+)$"),
        lambda m: _("Enter at least %(n)s.", n=m.group(2)),
    ),
    (
        re.compile(r"^(-?[\d.]+) is less than or equal to the minimum of (-?[\d.]+)$"),
        lambda m: _("Enter more than %(n)s.", n=m.group(2)),
    ),
    (
        re.compile(r"^(-?[\d.]+) is greater than the maximum of (-?[\d.]+)$"),
        lambda m: _("Enter at most %(n)s.", n=m.group(2)),
    ),
    (
        re.compile(r"^(-?[\d.]+) is greater than or equal to the maximum of (-?[\d.]+)$"),
        lambda m: _("Enter less than %(n)s.", n=m.group(2)),
    ),
    (re.compile(r"^\[\] should be non-empty$"), lambda m: _("Add at least one row.")),
    (re.compile(r"^\[.*\] is too short$"), lambda m: _("Add more rows.")),
    (re.compile(r"^\[.*\] is too long$"), lambda m: _("There are too many rows.")),
    (re.compile(r"^'.*' is too long$", re.S), lambda m: _("This text is too long.")),
    (re.compile(r"^'.*' is too short$", re.S), lambda m: _("This text is too short.")),
    (re.compile(r"^'.*' should be non-empty$", re.S), lambda m: _("This field is required.")),
    (
        re.compile(r"^'.*' does not match '.*'$", re.S),
        lambda m: _("This value does not have the expected form."),
    ),
    (re.compile(r"^'.*' is not a '(date|date-time)'$", re.S), lambda m: _("Enter a valid date.")),
    (re.compile(r"^cannot compute: .*$", re.S), lambda m: _("This value cannot be computed.")),
    (
        re.compile(r"^record data must be an object$"),
        lambda m: _("The form could not be read."),
    ),
)


def message_text(message: str) -> str:
    """An engine message in the user's language (as given when its shape is unknown)."""
    for pattern, rewrite in PATTERNS:
        match = pattern.match(message)
        if match:
            return rewrite(match)
    return message


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
    if f.kind == "table" and len(parts) >= 3 and parts[1].isdigit():
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
        message = re.sub(r"^'[^']*': ", "", problem.message)
        return ShownProblem(problem.path, problem.path, label, message_text(message))
    return ShownProblem(path, form_key(path), label_of(module, path), message_text(problem.message))


REASONS: tuple[tuple[re.Pattern[str], Rewrite], ...] = (
    (re.compile(r"^the record is in the final state"), lambda m: _("The record is closed.")),
    (
        re.compile(r"^the record is in state"),
        lambda m: _("The record has moved on to another state; reload it."),
    ),
    (re.compile(r"^only the record's owner"), lambda m: _("Only the record's owner may do this.")),
    (re.compile(r"^votes have already been cast"), lambda m: _("Votes have already been cast.")),
    (re.compile(r"^needs one of the roles"), lambda m: _("Your role does not allow this.")),
    (
        re.compile(r"^these fields need a value first: (.*)$"),
        lambda m: _("Fill in these fields first: %(fields)s", fields=m.group(1)),
    ),
    (
        re.compile(r"^its condition does not hold"),
        lambda m: _("The record does not meet the condition for this step yet."),
    ),
    (re.compile(r"^the owner may not approve"), lambda m: _("You cannot approve your own record.")),
    (re.compile(r"^you have already voted"), lambda m: _("You have already voted.")),
    (
        re.compile(r"^you are not an approver"),
        lambda m: _("You are not an approver of this record."),
    ),
    (re.compile(r"^a comment is required"), lambda m: _("A comment is required.")),
    (re.compile(r"^this transition takes no comment"), lambda m: _("This step takes no comment.")),
    (
        re.compile(r"^(\S+) is already an approver"),
        lambda m: _("%(user)s is already an approver.", user=m.group(1)),
    ),
    (
        re.compile(r"^(\S+) cannot read this record"),
        lambda m: _("%(user)s cannot see this record.", user=m.group(1)),
    ),
)


def reason_text(reason: str) -> str:
    """Why a transition was refused, in the user's language."""
    for pattern, rewrite in REASONS:
        match = pattern.match(reason)
        if match:
            return rewrite(match)
    return reason
