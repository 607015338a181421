"""The document's general operations: modules, inbox, reports and the document itself (for
administrators packs and webhooks: spec_admin.py). A module's own operations are in
spec_records.py; a report takes the filters of its module's list (spec_params.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.definitions.model import Report
from web.api.spec_context import Builder, Placed, SpecContext
from web.api.spec_params import filter_parameters
from web.api.spec_parts import (
    READ_ERRORS,
    items_of,
    operation,
    path_param,
    query_param,
    ref,
    responses,
)

GENERAL = ["General"]
REPORTS = ["Reports"]
MODULE_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "pack": {"type": "string"},
        "version": {"type": "string"},
        "may": {"type": "object", "additionalProperties": {"type": "boolean"}},
    },
}
INBOX_ITEM = {
    "type": "object",
    "properties": {
        "record": ref("Record"),
        "reason": {"enum": ["vote", "transition", "copied"]},
        "transitions": {"type": "array", "items": {"type": "string"}},
        "overdue": {"type": "boolean"},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
INBOX = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": INBOX_ITEM},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}
REPORT_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "module": {"type": "string"},
    },
}
CELL = {"type": ["string", "number", "integer", "boolean", "null"]}
REPORT_ROWS = {
    "type": "object",
    "required": ["columns", "rows"],
    "properties": {
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object", "additionalProperties": CELL}},
    },
}
REPORT_FILES = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "contentEncoding": "binary"}
    },
}


def _modules(ctx: SpecContext) -> Iterator[Placed]:
    yield (
        {},
        operation(
            "modules.list",
            "The modules the caller may read",
            GENERAL,
            responses(200, items_of(MODULE_SUMMARY), (401,)),
        ),
    )


def _module(ctx: SpecContext) -> Iterator[Placed]:
    """One module's definition: one path for all, its id one of those the caller may read."""
    ids = [m.id for m in ctx.modules]
    module = path_param("module", "a module id", {"type": "string", "enum": ids} if ids else None)
    definition = {"type": "object", "properties": {"fields": {"type": "array"}}}
    yield (
        {},
        operation(
            "modules.read",
            "A module's definition as the caller may see it",
            GENERAL,
            responses(200, definition, (401, 404)),
            parameters=[module, query_param("lang", {"type": "string", "enum": ["en", "zh-CN"]})],
        ),
    )


def _inbox(ctx: SpecContext) -> Iterator[Placed]:
    yield (
        {},
        operation(
            "inbox",
            "Records waiting for the caller's action, copied to them, overdue",
            GENERAL,
            responses(200, INBOX, (401,)),
        ),
    )


def _document(ctx: SpecContext) -> Iterator[Placed]:
    document = operation(
        "openapi",
        "This document, generated for the caller",
        GENERAL,
        responses(200, {"type": "object"}, (401,)),
    )
    document["security"] = [{}, {"bearer": []}]
    yield {}, document


def _reports(ctx: SpecContext) -> Iterator[Placed]:
    yield (
        {},
        operation(
            "reports.list",
            "The reports over modules the caller may read",
            REPORTS,
            responses(200, items_of(REPORT_SUMMARY), (401,)),
        ),
    )


def _report(ctx: SpecContext) -> Iterator[Placed]:
    """Each report over a module the caller may read, with the filters of its module's list."""
    readable = {m.id for m in ctx.modules}
    for report in sorted(ctx.catalog.reports.values(), key=lambda r: r.id):
        if report.module in readable:
            yield {"report_id": report.id}, _report_operation(ctx, report)


def _report_operation(ctx: SpecContext, report: Report) -> dict[str, Any]:
    module = ctx.catalog.modules[report.module]
    access = ctx.fields(module)
    filters = [
        p for name in module.ui.list.filters for p in filter_parameters(ctx, module, name, access)
    ]
    answers = responses(200, REPORT_ROWS, READ_ERRORS)
    answers["200"]["content"].update(REPORT_FILES)
    file_format = query_param("format", {"type": "string", "enum": ["json", "csv", "xlsx"]})
    return operation(
        f"reports.{report.id}",
        ctx.text(report.title),
        REPORTS,
        answers,
        parameters=[file_format, *filters],
    )


GENERAL_OPERATIONS: dict[str, Builder] = {
    "modules.list": _modules,
    "modules.read": _module,
    "inbox": _inbox,
    "reports.list": _reports,
    "reports.read": _report,
    "openapi": _document,
}
