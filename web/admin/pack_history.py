"""A pack's history in the admin console: its versions, who imported or restored them, the
diff between any two, and restoring an earlier version.

Every page asks the engine (engine/packs/history.py), the same functions as the command
line. A restore shows its dry run first — the diff from the installed version, the table
changes, the data it would move — and needs a second, posted confirmation; a restore that
records would not survive is shown refused, with the counts, and nothing changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from engine.catalog import load_catalog
from engine.errors import DefinitionError, UpgradeRefused
from engine.packs.diff import PackChange
from engine.packs.history import pack_history, restore_pack, version_diff
from engine.packs.install import ImportReport
from web import errors
from web.admin.guard import admin_blueprint
from web.i18n import text
from web.pages.context import actor, db
from web.problems import problem_message

bp = admin_blueprint("admin_pack_history", __name__, url_prefix="/admin/packs")

VALUE_TEXT = 80  # characters of a before/after value shown in a diff row
DETAILS_SHOWN = 8  # differences listed for one changed item


def _sections() -> dict[str, str]:
    return {
        "roles": _("Roles"),
        "modules": _("Modules"),
        "fields": _("Fields"),
        "states": _("States"),
        "transitions": _("Transitions"),
        "permissions": _("Permissions"),
        "list": _("List settings"),
        "ui": _("Form layout"),
        "views": _("Views"),
        "prints": _("Print templates"),
        "reports": _("Reports"),
    }


def _changes() -> dict[str, tuple[str, str]]:
    """Each kind of change: its words and its badge colour."""
    return {
        "added": (_("added"), "green"),
        "changed": (_("changed"), "orange"),
        "removed": (_("removed"), "red"),
    }


@dataclass(frozen=True)
class DiffRow:
    """One entry of a diff as the table shows it."""

    section: str
    key: str
    change: str
    colour: str
    details: list[str]


def _short(value: Any) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= VALUE_TEXT else shown[: VALUE_TEXT - 1] + "…"


def _differences(before: Any, after: Any, path: str = "") -> list[str]:
    """`where: old → new` for each innermost value that differs (a list item, an attribute),
    so a long layout shows the one section that changed, not its common beginning."""
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [*before, *(k for k in after if k not in before)]
        return [
            line
            for key in keys
            if before.get(key) != after.get(key)
            for line in _differences(before.get(key), after.get(key), f"{path}.{key}".strip("."))
        ]
    if isinstance(before, list) and isinstance(after, list):
        common = min(len(before), len(after))
        lines = [
            line
            for i, (old, new) in enumerate(zip(before[:common], after[:common], strict=True))
            if old != new
            for line in _differences(old, new, f"{path}[{i}]")
        ]
        lines += [f"{path}[{i}]: + {_short(v)}" for i, v in enumerate(after[common:], common)]
        lines += [f"{path}[{i}]: − {_short(v)}" for i, v in enumerate(before[common:], common)]
        return lines
    return [f"{path}: {_short(before)} → {_short(after)}"]


def diff_rows(changes: list[PackChange]) -> list[DiffRow]:
    """The diff's entries in the reader's language; a changed one says what changed."""
    sections, words = _sections(), _changes()
    rows = []
    for change in changes:
        details = []
        if change.before is not None and change.after is not None:
            details = _differences(dict(change.before), dict(change.after))
            if len(details) > DETAILS_SHOWN:
                details = [*details[: DETAILS_SHOWN - 1], "…"]
        word, colour = words[change.change]
        rows.append(
            DiffRow(sections.get(change.section, change.section), change.key, word, colour, details)
        )
    return rows


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
        rows = diff_rows(version_diff(session, pack_id, old, new))
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
    rows: list[DiffRow] | None = None
    problems: list[str] | None = None
    status: int = 200


def _dry_run(pack_id: str, version: str) -> _Outcome:
    try:
        with db() as session:
            installed = pack_history(session, pack_id).current
            report = restore_pack(session, pack_id, version, by=actor().name, dry_run=True)
            rows = diff_rows(version_diff(session, pack_id, installed, version))
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
