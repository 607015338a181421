"""Publishing a draft: the import's dry run and diff first, then the import itself.

The same road as an uploaded pack (web/admin/packs.py): `import_pack` runs as a dry run and
its diff, table changes and data fixes are shown with the import review's change table;
"Publish" runs it for real, by the signed-in admin, at the pack's next version. A refusal
(a removed field with values, a stranded state, an invalid pack) shows every problem in the
admin's language with nothing published and the draft kept; a draft that started from an
older installed version is refused with 409 instead of overwriting a newer one.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.builder.publish import draft_stamp, publish_draft
from engine.errors import Conflict, DefinitionError, UpgradeRefused
from engine.packs import ImportReport
from web import errors
from web.admin.builder_editor import draft_of, draft_problems, owner
from web.admin.guard import admin_blueprint
from web.admin.pack_changes import change_sections
from web.pages.context import db

bp = admin_blueprint("admin_builder_publish", __name__, url_prefix="/admin/builder")

Refusal = DefinitionError | UpgradeRefused | Conflict


def _refused(draft_id: str, refused: Refusal) -> ResponseReturnValue:
    with db() as session:
        draft = draft_of(session, draft_id)
        problems = draft_problems(draft.definition, refused.problems)
        page = render_template(
            "admin/builder/review.html", draft=draft, report=None, problems=problems, sections=[]
        )
    return page, errors.status_of(refused)


@bp.post("/d/<draft_id>/publish")
def review(draft_id: str) -> ResponseReturnValue:
    """The dry run: what publishing would change, and the confirmation."""
    try:
        with db() as session:
            draft_of(session, draft_id)
            report = publish_draft(session, owner(), draft_id, dry_run=True)
            draft = draft_of(session, draft_id)
            return render_template(
                "admin/builder/review.html",
                draft=draft,
                report=report,
                problems=[],
                sections=change_sections(report.diff),
                reviewed=draft_stamp(draft),
            )
    except (DefinitionError, UpgradeRefused, Conflict) as refused:
        return _refused(draft_id, refused)


@bp.post("/d/<draft_id>/publish/confirm")
def confirm(draft_id: str) -> ResponseReturnValue:
    """Publish: import the draft at its next version; the draft is then gone."""
    try:
        with db() as session:
            reviewed = request.form.get("reviewed") or None
            report = publish_draft(session, owner(), draft_id, dry_run=False, reviewed=reviewed)
    except (DefinitionError, UpgradeRefused, Conflict) as refused:
        return _refused(draft_id, refused)
    flash(_published(report), "success")
    return redirect(url_for("admin_packs.index"), code=303)


def _published(report: ImportReport) -> str:
    params = {"pack": report.pack_id, "version": report.version}
    if report.action == "unchanged":
        return _("Pack %(pack)s %(version)s is already installed: nothing to do.", **params)
    return _("Published: pack %(pack)s is now at version %(version)s.", **params)
