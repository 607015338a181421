"""What a job's page shows, made from the engine's view of the job.

While a job is queued or running the page shows its progress; a finished preview shows the
mapping form, the first records as they would be stored (child rows under their record) and
every problem by sheet, row and column in the reader's language; a finished import shows
its summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from engine.abilities import Abilities
from engine.definitions.model import Module
from engine.import_choices import NUMBER, import_keys, import_targets, number_columns
from web.pages.imports_forms import (
    ENCODINGS,
    MODES,
    child_columns,
    choices,
    column_rows,
    parent_columns,
    sheet_columns,
)
from web.problems import problem_message

ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class ShownProblem:
    """A problem of the file as the page lists it."""

    sheet: str
    row: str
    column: str
    message: str


def shown_problems(job: Any) -> list[ShownProblem]:
    return [
        ShownProblem(
            p.sheet or "",
            str(p.row) if p.row is not None else "",
            p.column or "",
            problem_message(p.problem),
        )
        for p in job.problems
    ]


def status_text(status: str) -> str:
    """A job's status in the reader's language."""
    return {
        "queued": _("Waiting to start"),
        "running": _("Running"),
        "done": _("Finished"),
        "failed": _("Failed"),
        "cancelled": _("Cancelled"),
        "interrupted": _("Interrupted"),
    }.get(status, status)


def mode_text(mode: str) -> str:
    return _("Valid rows only") if mode == "valid" else _("All or nothing")


def _targets_shown(job: Any) -> set[str]:
    shown = set((job.mapping or {}).values())
    for mapping in (job.child_sheets or {}).values():
        shown |= set(mapping.values())
    return shown - {NUMBER}


def job_context(
    module: Module, may: Abilities, job: Any, headers: list[str], mode: str | None
) -> dict[str, Any]:
    """Everything the job's templates read; `mode` is the one chosen for the Import button."""
    shown = _targets_shown(job)
    keys = import_keys(module, may)
    columns = column_rows(job, headers, number_columns(module, may, headers))
    offered = choices(module, import_targets(module, may), keys)
    return {
        "job": job,
        "active": job.status in ACTIVE,
        "mode": mode if mode in MODES else "all",
        "error": problem_message(job.error) if job.error is not None else None,
        "columns": columns,
        "choices": offered,
        "sheets": sheet_columns(job, len(columns), offered.targets),
        "encodings": ENCODINGS,
        "problems": shown_problems(job),
        "fields": parent_columns(module, shown),
        "tables": child_columns(module, shown),
        "status_text": status_text,
        "mode_text": mode_text,
        "number": NUMBER,
    }
