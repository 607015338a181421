"""A pack's history in the admin console: its versions, who imported or restored them, the
diff between any two, and restoring an earlier version.

Every page asks the engine (engine/packs/history.py), the same functions as the command
line. A restore shows its dry run first — the diff from the installed version, the table
changes, the data it would move — and needs a second, posted confirmation; a restore that
records would not survive is shown refused, with the counts, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from engine.catalog import load_catalog
from engine.errors import DefinitionError, UpgradeRefused
from engine.packs.history import pack_history, restore_pack, version_diff
from engine.packs.install import ImportReport
from web import errors
from web.admin.guard import admin_blueprint
from web.admin.pack_changes import ChangeSection, change_sections
from web.i18n import text
from web.pages.context import actor, db
from web.problems import problem_message

bp = admin_blueprint("admin_pack_history", __name__, url_prefix="/admin/packs")


def _title(session: Session, pack_id: str) -> str:
    pack = load_catalog(session).packs.get(pack_id)
    return text(pack.title) if pack is not None else pack_id


@bp.get("/<pack_id>/history")
def history(pack_id: str) -> ResponseReturnValue:
    with db() as session:
        past = pack_history(session, pack_id)
        return render_template(
            "admin/pack_history/history.html", history=past, title=_title(session, pack_id)
        )


@bp.get("/<pack_id>/diff")
def diff(pack_id: str) -> ResponseReturnValue:
    """The changes from one stored version to another (by default: another → installed)."""
    with db() as session:
        past = pack_history(session, pack_id)
        old = request.args.get("from") or past.other_version
        new = request.args.get("to") or past.current
        rows = change_sections(version_diff(session, pack_id, old, new))
        return render_template(
            "admin/pack_history/diff.html",
            history=past,
            title=_title(session, pack_id),
            old=old,
            new=new,
            rows=rows,
        )


@dataclass
class _Outcome:
    """A restore's dry run or its refusal, for the confirmation page."""

    report: ImportReport | None = None
    rows: list[ChangeSection] | None = None
    problems: list[str] | None = None
    status: int = 200


def _dry_run(pack_id: str, version: str) -> _Outcome:
    try:
        with db() as session:
            installed = pack_history(session, pack_id).current
            report = restore_pack(session, pack_id, version, by=actor().name, dry_run=True)
            rows = change_sections(version_diff(session, pack_id, installed, version))
            return _Outcome(report, rows)
    except (UpgradeRefused, DefinitionError) as refused:
        return _refused(refused)


def _refused(refused: UpgradeRefused | DefinitionError) -> _Outcome:
    messages = [problem_message(p) for p in refused.problems]
    return _Outcome(problems=messages, status=errors.status_of(refused))


def _confirm_page(pack_id: str, version: str, outcome: _Outcome) -> ResponseReturnValue:
    with db() as session:
        past = pack_history(session, pack_id)
        page = render_template(
            "admin/pack_history/restore.html",
            history=past,
            title=_title(session, pack_id),
            version=version,
            outcome=outcome,
        )
    return page, outcome.status


@bp.get("/<pack_id>/restore/<version>")
def confirm_restore(pack_id: str, version: str) -> ResponseReturnValue:
    """What restoring `version` would do, and the button that does it."""
    return _confirm_page(pack_id, version, _dry_run(pack_id, version))


@bp.post("/<pack_id>/restore/<version>")
def restore(pack_id: str, version: str) -> ResponseReturnValue:
    try:
        with db() as session:
            report = restore_pack(session, pack_id, version, by=actor().name)
    except (UpgradeRefused, DefinitionError) as refused:  # rolled back: nothing changed
        return _confirm_page(pack_id, version, _refused(refused))
    if report.action == "unchanged":
        flash(_("Version %(version)s is already installed: nothing to do.", version=version))
    else:
        flash(
            _(
                "Pack %(pack)s is restored to version %(version)s.",
                pack=pack_id,
                version=version,
            ),
            "success",
        )
    return redirect(url_for(".history", pack_id=pack_id))
