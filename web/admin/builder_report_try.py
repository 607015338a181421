"""The builder's "Try" of a report: its first rows over the installed module's records.

The report is the one in the form, applied to a copy of the draft (nothing is saved) and
compiled with the whole draft as publishing would compile it; the rows are the engine's
report query (engine/reports.run_compiled_report) as the signed-in admin may read them. A
report over a module that is not installed yet, or naming a field the installed module does
not store yet, cannot run before publishing: the answer says so instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from engine.builder.publish import compile_draft
from engine.builder.report_edits import ReportForm, set_report
from engine.catalog import load_catalog
from engine.definitions.model import Module, Report
from engine.errors import DefinitionError, ValidationFailed
from engine.models import BuilderDraft
from engine.reports import run_compiled_report
from web.pages.context import actor
from web.problems import problem_message

FIRST_ROWS = 20


def _unpublished(report: Report, installed: Module) -> list[str]:
    """Names the report reads that the installed module does not store yet."""
    stored = {f.name for f in installed.fields if f.stored}
    expressions = [report.where, *report.group_by, *report.measures.values()]
    names = {
        path[0]
        for expression in expressions
        if expression is not None
        for path in expression.references
    }
    return sorted(n for n in names if not n.startswith("$") and n != "user" and n not in stored)


def try_rows(
    session: Session, draft: BuilderDraft, form: Callable[[], ReportForm]
) -> dict[str, Any]:
    """`columns` and `rows` of the report in the form, or `problems` / a `note` why not."""
    catalog = load_catalog(session)
    installed = catalog.modules.get(draft.module_id)
    if installed is None:
        return {"note": _("Publish the module first: it has no records to try a report on.")}
    try:
        pack, name = set_report(draft.definition, draft.module_id, "", form(), new_id="builder_try")
        compiled = compile_draft(session, pack)
    except (ValidationFailed, DefinitionError) as refused:
        return {"problems": [problem_message(p) for p in refused.problems]}
    report = next(r for r in compiled.reports if r.id == name)
    missing = _unpublished(report, installed)
    if missing:
        note = _(
            "Publish first to try it: the records do not hold %(fields)s yet.",
            fields=", ".join(missing),
        )
        return {"note": note}
    result = run_compiled_report(session, catalog, report, actor(), limit=FIRST_ROWS)
    return {"columns": result.columns, "rows": result.rows}
