"""The rows of `import_jobs` as the runner writes them: claiming a job, and an import's
result turned into JSON (problems, the sample records) and back.

Claiming is safe with any number of workers: on PostgreSQL the candidate row is locked with
`FOR UPDATE SKIP LOCKED` (as the webhooks outbox does); on both backends the claim is an
UPDATE that only succeeds while the job is still queued.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.catalog import load_catalog
from engine.db import is_sqlite, transaction
from engine.definitions.model import Field
from engine.errors import NotFound
from engine.imports.problems import RowProblem
from engine.imports.result import ImportResult
from engine.kinds import json_value, kind_of
from engine.models import utcnow
from engine.models_imports import ImportJob
from engine.records.model import Record

PROBLEMS_KEPT = 200


def claim_next(factory: sessionmaker[Session], worker: str) -> int | None:
    """The oldest queued job, now `running` for this worker; None when none is queued."""
    with transaction(factory) as session:
        statement = (
            select(ImportJob.id).where(ImportJob.status == "queued").order_by(ImportJob.id).limit(1)
        )
        if not is_sqlite(session):
            statement = statement.with_for_update(skip_locked=True)
        job_id = session.scalar(statement)
        if job_id is None:
            return None
        now = utcnow()
        claimed = session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.status == "queued")
            .values(status="running", worker=worker[:200], started_at=now, heartbeat_at=now)
        )
        return job_id if claimed.rowcount == 1 else None  # type: ignore[attr-defined]  # CursorResult


def _plain(value: Any) -> Any:
    """A value JSON can hold: decimals and dates as text, the way the API writes them."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_plain, ensure_ascii=False))


def stored_problems(problems: list[RowProblem]) -> list[dict[str, Any]]:
    """The first problems of an import, with their codes and params (worded when read)."""
    return [
        as_json(
            {
                "sheet": p.sheet,
                "row": p.row,
                "column": p.column,
                "path": p.problem.path,
                "code": p.problem.code,
                "params": dict(p.problem.params),
            }
        )
        for p in problems[:PROBLEMS_KEPT]
    ]


def stored_summary(session: Session, result: ImportResult) -> dict[str, Any]:
    """What the preview shows besides the counts: the columns' fields and the first records."""
    module = load_catalog(session).module(result.module)
    sample = [
        {
            "id": r.id,
            "number": r.number,
            "state": r.state,
            "version": r.version,
            "owner": r.owner,
            "created_at": r.created_at,
            "updated_at": r.updated_at,
            "module_version": r.module_version,
            "titles": r.titles,
            "data": {
                name: json_value(f, r.data[name]) if (f := module.field(name)) else r.data[name]
                for name in r.data
            },
        }
        for r in result.sample
    ]
    return as_json(
        {
            "mapping": result.mapping,
            "unmapped": result.unmapped,
            "child_sheets": result.child_sheets,
            "child_headers": result.child_headers,
            "problem_count": result.problem_count,
            "encoding": result.encoding,
            "sheet": result.sheet,
            "headers": result.headers,
            "sample": sample,
        }
    )


def _typed(field: Field | None, value: Any) -> Any:
    """A stored JSON value back in the engine's type (a Decimal, a date), as typed input is."""
    if field is None or value is None:
        return value
    if field.children:
        children = {c.name: c for c in field.children}
        return [{k: _typed(children.get(k), v) for k, v in row.items()} for row in value or []]
    try:
        return kind_of(field).input_field(field).deserialize(value)
    except (ValidationError, TypeError, ValueError):
        return value


def restore_sample(session: Session, module_id: str, stored: list[dict[str, Any]]) -> list[Record]:
    """The sample records as `ImportResult.sample` held them."""
    if not stored:
        return []
    try:
        module = load_catalog(session).module(module_id)
    except NotFound:  # the module was removed since
        return []
    return [
        Record(
            id=item["id"],
            module=module.id,
            number=item.get("number"),
            state=item.get("state"),
            version=item.get("version", 1),
            owner=item.get("owner"),
            created_at=dt.datetime.fromisoformat(item["created_at"]),
            updated_at=dt.datetime.fromisoformat(item["updated_at"]),
            module_version=item.get("module_version"),
            data={k: _typed(module.field(k), v) for k, v in item.get("data", {}).items()},
            titles=dict(item.get("titles") or {}),
        )
        for item in stored
    ]
