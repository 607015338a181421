"""Packs in the admin console: what is installed, importing a pack and exporting one.

An import goes the way of `formwork packs import`: the uploaded file (or pasted JSON) is
first imported as a dry run — nothing is written — and its diff shown section by section,
with the table changes and the records its data fixes would change; a second, posted
"Confirm import" sends the same text again and imports it, by the signed-in admin. A
refused pack shows every problem with its JSON Pointer beside the line of the text it
points at (web/admin/pack_lines.py), with a 4xx status and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.catalog import load_catalog
from engine.definitions.loader import MAX_PACK_BYTES
from engine.errors import DefinitionError, UpgradeRefused
from engine.packs import ImportReport, export_text, import_pack, list_packs
from engine.packs.installed import export_pack
from web import errors
from web.admin.guard import admin_blueprint
from web.admin.pack_changes import ChangeSection, change_sections
from web.admin.pack_lines import Annotated, annotate
from web.pages.context import actor, db

bp = admin_blueprint("admin_packs", __name__, url_prefix="/admin/packs")

# A pack may be as large as the engine takes (MAX_PACK_BYTES), sent as a file or pasted; the
# confirmation sends it once more. The form's other fields are small.
BODY_LIMIT = 2 * MAX_PACK_BYTES + 64 * 1024


View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


def carries_a_pack(view: View) -> View:
    """Let a view's form carry a whole pack (web/auth.py reads it before the CSRF check)."""
    view.body_limit = BODY_LIMIT  # type: ignore[attr-defined]  # a mark, read with getattr
    return view


class ChangedMeanwhile(Exception):
    """The installed pack changed between the dry run and its confirmation (rolls it back)."""


@dataclass
class Review:
    """A dry run as the review page shows it, or its refusal."""

    text: str
    report: ImportReport | None = None
    sections: list[ChangeSection] = field(default_factory=list)
    refusal: Annotated | None = None
    status: int = 200


@bp.get("/")
def index() -> ResponseReturnValue:
    with db() as session:
        packs = list_packs(session, counts=True)
        catalog = load_catalog(session)
        titles = {m.id: m.title for p in catalog.packs.values() for m in p.modules}
        return render_template("admin/packs/index.html", packs=packs, titles=titles)


@bp.get("/import")
def import_form() -> ResponseReturnValue:
    return render_template("admin/packs/import.html", error=None, text="")


def _source() -> str | bytes | None:
    """The pack the form sends: the uploaded file, else the pasted text (None: neither)."""
    upload = request.files.get("pack_file")
    if upload is not None and upload.filename:
        data = upload.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data  # the import names it: not UTF-8
    pasted = request.form.get("pack_text", "")
    return pasted if pasted.strip() else None


def _refused(text: str | bytes, error: DefinitionError | UpgradeRefused) -> Review:
    shown = text if isinstance(text, str) else ""
    return Review(shown, refusal=annotate(shown, error.problems), status=errors.status_of(error))


@bp.post("/import")
@carries_a_pack
def review() -> ResponseReturnValue:
    """The dry run of the sent pack: its diff and the confirmation, or why it is refused."""
    source = _source()
    if source is None:
        error = _("Choose a pack file or paste the pack's JSON.")
        return render_template("admin/packs/import.html", error=error, text=""), 422
    try:
        with db() as session:
            report = import_pack(session, source, dry_run=True, by=actor().name)
            outcome = Review(source if isinstance(source, str) else "", report)
            outcome.sections = change_sections(report.diff)
    except (DefinitionError, UpgradeRefused) as refused:
        outcome = _refused(source, refused)
    return render_template("admin/packs/review.html", review=outcome), outcome.status


@bp.post("/import/confirm")
@carries_a_pack
def confirm() -> ResponseReturnValue:
    """Import the reviewed pack, unless the installed version changed since the review."""
    text = request.form.get("pack_text", "")
    reviewed = request.form.get("installed", "")
    try:
        with db() as session:
            report = import_pack(session, text, by=actor().name)
            changed = (report.previous_version or "") != reviewed
            if changed and report.action != "unchanged":  # a second click finds it installed
                raise ChangedMeanwhile()  # rolled back: review it again
    except (DefinitionError, UpgradeRefused) as refused:
        outcome = _refused(text, refused)
        return render_template("admin/packs/review.html", review=outcome), outcome.status
    except ChangedMeanwhile:
        flash(_("The installed pack changed since your review. Review the import again."), "error")
        return render_template("admin/packs/import.html", error=None, text=text), 409
    flash(_outcome_message(report), "info" if report.action == "unchanged" else "success")
    return redirect(url_for(".index"))


def _outcome_message(report: ImportReport) -> str:
    params = {"pack": report.pack_id, "version": report.version}
    if report.action == "unchanged":
        return _("Pack %(pack)s %(version)s is already installed: nothing to do.", **params)
    if report.action == "installed":
        message = _("Pack %(pack)s %(version)s is installed.", **params)
    else:
        message = _(
            "Pack %(pack)s is upgraded from %(previous)s to %(version)s.",
            previous=report.previous_version,
            **params,
        )
    moved = sum(a.total for a in report.affected)
    if moved:
        message += " " + _("%(count)s records were changed by its data fixes.", count=moved)
    if report.seeded:
        message += " " + _("%(count)s demo records were created.", count=report.seeded)
    return message


@bp.get("/<pack_id>/export")
def export(pack_id: str) -> ResponseReturnValue:
    """The installed pack as a file, the same bytes as `formwork packs export`."""
    with db() as session:
        version = export_pack(session, pack_id).get("version", "")
        text = export_text(session, pack_id)
    name = f"{pack_id}-{version}.json" if isinstance(version, str) and version else pack_id
    return Response(
        text.encode("utf-8"),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
