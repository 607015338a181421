"""OpenAPI operations of imports run as background jobs (web/api/imports.py): queue a file
into each module the caller may import into, then read, cancel and fetch a job's rejected
rows. The job's schema is written from the answer web/api/imports.py gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.imports.importing import MODES
from engine.imports.jobs import STATUSES
from web.api.spec_context import Builder, Placed, SpecContext
from web.api.spec_parts import ERRORS, json_content, operation, path_param, ref, responses

TAG = ["Imports"]
TEXT_OR_NULL = {"type": ["string", "null"]}
COUNT = {"type": "integer", "minimum": 0}
PROBLEM = {
    "type": "object",
    "required": ["row", "column", "path", "code", "message"],
    "properties": {
        "sheet": {"type": "string"},
        "row": {"type": ["integer", "null"]},
        "column": TEXT_OR_NULL,
        "path": {"type": "string"},
        "code": {"type": "string"},
        "message": {"type": "string"},
    },
}
JOB = {
    "type": "object",
    "required": ["id", "url", "module", "status", "progress", "problems"],
    "properties": {
        "id": {"type": "integer"},
        "url": {"type": "string", "format": "uri"},
        "module": {"type": "string"},
        "file_name": {"type": "string"},
        "by": TEXT_OR_NULL,
        "mode": {"enum": list(MODES)},
        "key": TEXT_OR_NULL,
        "dry_run": {"type": "boolean"},
        "status": {"enum": list(STATUSES)},
        "progress": {
            "type": "object",
            "properties": {
                "done": COUNT,
                "total": {"type": ["integer", "null"]},
                "percent": {"type": "integer", "minimum": 0, "maximum": 100},
            },
        },
        "created": COUNT,
        "updated": COUNT,
        "unchanged": COUNT,
        "rejected": COUNT,
        "problems": {"type": "array", "items": PROBLEM},
        "error": {"oneOf": [{"type": "null"}, PROBLEM | {"required": ["code", "message"]}]},
        "mapping": {"type": "object", "additionalProperties": {"type": "string"}},
        "unmapped": {"type": "array", "items": {"type": "string"}},
        "encoding": TEXT_OR_NULL,
        "sheet": TEXT_OR_NULL,
        "sample": {"type": "array", "items": {"type": "object"}},
        "rejected_file": {"type": ["string", "null"]},
        "created_at": {"type": "string"},
        "started_at": TEXT_OR_NULL,
        "finished_at": TEXT_OR_NULL,
    },
}
UPLOAD = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream"},
        "mapping": {"type": "string", "description": 'a JSON object: {"工时": "items.hours"}'},
        "key": {"type": "string", "description": "update the record whose field matches"},
        "mode": {"enum": list(MODES)},
        "encoding": {"type": "string"},
        "sheet": {"type": "string"},
        "dry_run": {"enum": ["0", "1", "true", "false"]},
    },
}
JOB_ID = path_param("job", "an import job's id", {"type": "integer", "minimum": 1})


def _create(ctx: SpecContext) -> Iterator[Placed]:
    """Queue an import, once per module the caller may import into."""
    for module in ctx.modules:
        if not ctx.answer(module).import_:
            continue
        answers = responses(202, JOB, (401, 403, 404, 413, 422))
        answers["202"]["headers"] = {"Location": {"schema": {"type": "string"}}}
        yield (
            {"module_id": module.id},
            operation(
                f"{module.id}.import_file",
                f"Import a CSV or XLSX file into {ctx.text(module.title)} (as a background job)",
                ctx.tag(module),
                answers,
                body={
                    "required": True,
                    "content": {"multipart/form-data": {"schema": UPLOAD}},
                },
            ),
        )


def _read(ctx: SpecContext) -> Iterator[Placed]:
    yield (
        {},
        operation(
            "imports.job",
            "An import job: status, progress, counts and problems",
            TAG,
            responses(200, JOB, (401, 404)),
            parameters=[JOB_ID],
        ),
    )


def _cancel(ctx: SpecContext) -> Iterator[Placed]:
    yield (
        {},
        operation(
            "imports.cancel_job",
            "Stop an import job between two batches",
            TAG,
            responses(202, JOB, (401, 404)),
            parameters=[JOB_ID],
        ),
    )


def _rejected(ctx: SpecContext) -> Iterator[Placed]:
    spreadsheet = {"type": "string", "contentMediaType": "application/octet-stream"}
    answers: dict[str, Any] = responses(200, None, (401, 404))
    answers["200"] = {
        "description": "The rejected rows with an error column",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": spreadsheet
            },
        },
    }
    answers["404"] = {"description": ERRORS[404], "content": json_content(ref("Errors"))}
    yield (
        {},
        operation(
            "imports.rejected_rows",
            "The rejected rows of an import job as a file to fix and import again",
            TAG,
            answers,
            parameters=[JOB_ID],
        ),
    )


IMPORT_OPERATIONS: dict[str, Builder] = {
    "imports.create": _create,
    "imports.read": _read,
    "imports.cancel": _cancel,
    "imports.rejected": _rejected,
}
