"""The builder's reports section: a draft module's reports listed, one edited in a form.

The form writes what PACK_FORMAT's `reports` holds — titles, a filter, the groups, named
measures and a chart — with each expression in the expression editor, checked as the admin
types (where = report_where, report_group, report_measure). Saving is an engine edit
(engine/builder/report_edits.py) on the draft's pack; a refused one answers 422 with the
form as it was typed, every reason in the admin's language and the draft unchanged.
Rows are added by htmx (`row`) and removed by web/static/js/builder-reports.js.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.builder import drafts
from engine.builder.edits import module_of, titles
from engine.builder.expressions import read_catalogue
from engine.builder.report_edits import (
    CHART_TYPES,
    Chart,
    ReportForm,
    id_for_report,
    remove_report,
    reports_of,
    set_report,
)
from engine.errors import ValidationFailed
from engine.models import BuilderDraft, InstalledPack
from web.admin.builder_editor import draft_of
from web.admin.builder_report_try import try_rows
from web.admin.guard import admin_blueprint
from web.i18n import text
from web.pages.context import db
from web.problems import problem_message

bp = admin_blueprint("admin_builder_reports", __name__, url_prefix="/admin/builder")


@dataclass
class Shown:
    """The report form's values: a saved report's, or what the admin posted."""

    report_id: str = ""  # "" for a new report
    new_id: str = ""
    title_en: str = ""
    title_zh: str = ""
    where: str = ""
    groups: list[tuple[str, str]] = field(default_factory=list)  # (row key, expression)
    measures: list[tuple[str, str, str]] = field(default_factory=list)  # (key, name, expr)
    chart: dict[str, str] = field(default_factory=dict)  # type, x, y, series

    @classmethod
    def of(cls, report: Mapping[str, Any]) -> Shown:
        title = report.get("title")
        title = title if isinstance(title, Mapping) else {"en": str(title or "")}
        measures = report.get("measures") or {}
        return cls(
            str(report.get("id", "")),
            "",
            str(title.get("en", "")),
            str(title.get("zh-CN", "")),
            str(report.get("where", "")),
            [(f"g{n}", str(g)) for n, g in enumerate(report.get("group_by") or ())],
            [(f"m{n}", str(k), _measure_text(v)) for n, (k, v) in enumerate(measures.items())],
            {k: str(v) for k, v in (report.get("chart") or {}).items()},
        )

    @classmethod
    def posted(cls, report_id: str) -> Shown:
        form = request.form
        return cls(
            report_id,
            form.get("id", "").strip(),
            form.get("title_en", ""),
            form.get("title_zh", ""),
            form.get("where", ""),
            [(k, form.get(f"group.{k}", "")) for k in form.getlist("group_key")],
            [
                (k, form.get(f"measure_name.{k}", ""), form.get(f"measure.{k}", ""))
                for k in form.getlist("measure_key")
            ],
            {a: form.get(f"chart_{a}", "") for a in ("type", "x", "y", "series")},
        )

    def form(self) -> ReportForm:
        """What the engine edit takes (titles refused here when both are empty)."""
        chart = self.chart
        drawn = Chart(
            chart["type"], chart.get("x", ""), chart.get("y", ""), chart.get("series", "")
        )
        return ReportForm(
            titles(self.title_en, self.title_zh),
            self.where,
            [text for _key, text in self.groups],
            [(name, expression) for _key, name, expression in self.measures],
            drawn if chart.get("type") else None,
        )


def _measure_text(measure: Any) -> str:
    """A measure's expression (of `{"value": .., "cumulative": true}` too; its options are
    kept by the engine edit)."""
    return str(measure.get("value", "")) if isinstance(measure, Mapping) else str(measure)


def picks(definition: Mapping[str, Any], module_id: str) -> dict[str, list[tuple[str, str]]]:
    """Ready-made groups (fields, dates by month or year) and measures (count, sums)."""
    module = read_catalogue(definition).get(module_id)
    groups: list[tuple[str, str]] = []
    measures = [("count()", _("Count of records"))]
    for info in module.fields.values() if module is not None else ():
        if info.kind_type.rows or info.rollup_source is not None:
            continue
        title = text(info.title) or info.name
        if info.expression_type in ("number", "integer") and not info.enum:
            measures.append((f"sum({info.name})", _("Sum of %(field)s", field=title)))
        if info.expression_type == "list":
            continue
        groups.append((info.name, title))
        if info.kind_type.dated:
            groups.append((f"month({info.name})", _("%(field)s by month", field=title)))
            groups.append((f"year({info.name})", _("%(field)s by year", field=title)))
    return {"groups": groups, "measures": measures}


def _other_reports(session: Session, pack_id: str) -> set[str]:
    """Report ids other installed packs hold (a report id names one report everywhere)."""
    others = session.scalars(select(InstalledPack).where(InstalledPack.id != pack_id))
    return {str(r.get("id")) for p in others for r in p.definition.get("reports") or ()}


def render_section(
    session: Session,
    draft: BuilderDraft,
    shown: Shown,
    problems: list[str] | None = None,
    status: int = 200,
    tried: Mapping[str, Any] | None = None,
) -> ResponseReturnValue:
    """The reports page: the module's reports and the form of the one being edited."""
    definition = draft.definition
    page = render_template(
        "admin/builder/reports.html",
        draft=draft,
        module=module_of(definition, draft.module_id),
        reports=reports_of(definition, draft.module_id),
        shown=shown,
        picks=picks(definition, draft.module_id),
        chart_types=CHART_TYPES,
        problems=problems or [],
        tried=tried,
    )
    return page, status


def _chosen(draft: BuilderDraft) -> Shown:
    wanted = request.args.get("report", "")
    listed = reports_of(draft.definition, draft.module_id)
    if wanted != "new":
        for report in listed:
            if report.get("id") == wanted or not wanted:
                return Shown.of(report)
    return Shown(groups=[("g0", "")], measures=[("m0", "count", "count()")])


@bp.get("/d/<draft_id>/reports")
def reports(draft_id: str) -> ResponseReturnValue:
    """The draft module's reports (`?module=` another module of the draft); `?report=<id>`
    edits one, `?report=new` starts one."""
    with db() as session:
        draft = draft_of(session, draft_id)
        module = request.args.get("module", "")
        if module and module != draft.module_id:  # as the editor: the draft opens on it
            module_of(draft.definition, module)  # an unknown one is refused
            drafts.save_draft(session, draft, draft.definition, module)
        return render_section(session, draft, _chosen(draft))


def _save(draft_id: str, report_id: str) -> ResponseReturnValue:
    """The posted report saved into the draft, or the form again with the reasons (422)."""
    shown = Shown.posted(report_id)
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            pack, name = set_report(
                draft.definition,
                draft.module_id,
                report_id,
                shown.form(),
                new_id=shown.new_id,
                taken=_other_reports(session, draft.pack_id),
            )
        except ValidationFailed as refused:
            messages = [problem_message(p) for p in refused.problems]
            return render_section(session, draft, shown, messages, 422)
        drafts.save_draft(session, draft, pack)
    where = url_for("admin_builder_reports.reports", draft_id=draft_id, report=name)
    return redirect(where, code=303)


@bp.post("/d/<draft_id>/reports")
def add(draft_id: str) -> ResponseReturnValue:
    """A new report, its id typed or derived from the English title."""
    return _save(draft_id, "")


@bp.post("/d/<draft_id>/reports/<report_id>")
def save(draft_id: str, report_id: str) -> ResponseReturnValue:
    """A report's titles, filter, groups, measures and chart."""
    return _save(draft_id, report_id)


@bp.post("/d/<draft_id>/reports/<report_id>/remove")
def remove(draft_id: str, report_id: str) -> ResponseReturnValue:
    """The report removed from the draft."""
    with db() as session:
        draft = draft_of(session, draft_id)
        try:
            pack = remove_report(draft.definition, draft.module_id, report_id)
        except ValidationFailed as refused:
            messages = [problem_message(p) for p in refused.problems]
            return render_section(session, draft, _chosen(draft), messages, 422)
        drafts.save_draft(session, draft, pack)
    return redirect(url_for("admin_builder_reports.reports", draft_id=draft_id), code=303)


@bp.post("/d/<draft_id>/reports/try")
def try_report(draft_id: str) -> ResponseReturnValue:
    """The first rows of the posted report over the installed module's records (a read)."""
    shown = Shown.posted(request.form.get("report_id", ""))
    with db() as session:
        draft = draft_of(session, draft_id)
        return render_section(session, draft, shown, tried=try_rows(session, draft, shown.form))


@bp.get("/d/<draft_id>/reports/row")
def row(draft_id: str) -> ResponseReturnValue:
    """A new, empty group or measure row for the form (htmx appends it)."""
    kind = "measure" if request.args.get("kind") == "measure" else "group"
    with db() as session:
        draft = draft_of(session, draft_id)
        return render_template(
            "admin/builder/_report_row.html",
            draft=draft,
            kind=kind,
            key=uuid.uuid4().hex[:8],
            name="",
            value="",
            picks=picks(draft.definition, draft.module_id),
        )


@bp.get("/d/<draft_id>/reports/check-id")
def check_id(draft_id: str) -> ResponseReturnValue:
    """As the admin types: the id the title would give, or why a typed id cannot be used."""
    typed = request.args.get("id", "").strip()
    with db() as session:
        draft = draft_of(session, draft_id)
        name, problem = id_for_report(
            draft.definition,
            request.args.get("title_en", ""),
            typed,
            _other_reports(session, draft.pack_id),
        )
    hint: dict[str, Any] = {"typed": typed}
    if typed:
        hint["problem"] = problem_message(problem) if problem is not None else ""
    else:
        hint["suggested"] = name
    return render_template("admin/builder/_id_hint.html", **hint)
