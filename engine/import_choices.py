"""What a person may choose when importing into a module: the columns' targets and the keys,
and the file of an earlier job to preview or import again with other choices.

The import page offers, for each column of the file, the fields it may fill — exactly those
the importer's mapping accepts for this actor (engine/imports/mapping.py refuses the rest:
computed, read-only, hidden and file fields) — and, as the upsert key, the record number or
a field no two records share. Asking the mapping's own check keeps the page's choices and
the import's refusals one rule. A computed field is worked out by the engine, so no column
fills it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.abilities import Abilities
from engine.actor import Actor
from engine.definitions.model import Field, Module
from engine.errors import NotFound
from engine.imports.jobs import job_view
from engine.imports.mapping import NUMBER, _refusal, map_columns
from engine.models_imports import ImportJob

__all__ = [
    "NUMBER",
    "JobSource",
    "Target",
    "import_keys",
    "import_targets",
    "job_source",
    "number_columns",
]


@dataclass(frozen=True)
class Target:
    """A field a column may fill: `field`, or `table.column` for a child table's column."""

    id: str
    field: Field
    column: Field | None = None


def _candidates(module: Module) -> list[Target]:
    found = []
    for f in module.fields:
        if f.kind_type.rows:
            found += [Target(f"{f.name}.{c.name}", f, c) for c in f.children]
        else:
            found.append(Target(f.name, f))
    return found


def import_targets(module: Module, may: Abilities) -> list[Target]:
    """The fields (and child columns) `may.actor` may fill from a column, in the pack's order."""
    return [
        t
        for t in _candidates(module)
        if not _computed(t, may) and _refusal("", t.id, module, may) is None
    ]


def _computed(target: Target, may: Abilities) -> bool:
    leaf = target.column or target.field
    return leaf.computed or may.fields.get(target.field.name) == "computed"


def import_keys(module: Module, may: Abilities) -> list[str]:
    """What may identify the record a row updates: the number, then each unique field."""
    writable = {t.id for t in import_targets(module, may)}
    return [NUMBER, *(f.name for f in module.fields if f.unique and f.name in writable)]


def number_columns(module: Module, may: Abilities, headers: list[str]) -> set[str]:
    """The headers the engine reads as the record number by itself: they gather a record's
    rows even where they are not the key, so the page shows them as the number."""
    found = map_columns(module, headers, may).columns
    return {header for header, target in found.items() if target == NUMBER}


@dataclass(frozen=True)
class JobSource:
    """The stored file of a job and its header row, to run it again with other choices."""

    file_id: str
    file_name: str
    headers: list[str] = field(default_factory=list)


def job_source(session: Session, job_id: int, actor: Actor) -> JobSource:
    """The file a job read, for its owner or an administrator (NotFound to anyone else)."""
    job_view(session, job_id, actor)  # the job's own visibility rule
    job = session.get(ImportJob, job_id)
    if job is None:  # removed since job_view read it
        raise NotFound(code="import_job_not_found", id=job_id)
    headers = (job.summary or {}).get("headers") or []
    return JobSource(job.file_id, job.file_name, [str(h) for h in headers])
