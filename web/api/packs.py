"""Packs through the API (administrators only): import or diff a pack, export, list, and
a pack's version history and the restore of an earlier version (engine/packs/history.py).

`POST /packs` takes the pack as its JSON body and imports it in the request's transaction:
all or nothing. `?dry_run=1` only compares it with what is installed and reports what would
change. A refused pack answers 422 with one problem per JSON Pointer into the pack; an
upgrade that existing records would not survive answers 409 with the reasons.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from engine.errors import Problem, ValidationFailed
from engine.packs import export_pack, import_pack, list_packs
from engine.packs.history import pack_history, restore_pack
from web.api.body import json_body
from web.api.common import json_object, require_admin, text
from web.api.context import api_session
from web.api.operations import operation

bp = Blueprint("packs", __name__)

TRUE = ("1", "true", "yes")
FALSE = ("", "0", "false", "no")


def _dry_run() -> bool:
    flag = request.args.get("dry_run", "").lower()
    if flag not in TRUE + FALSE:
        raise ValidationFailed(
            [Problem("dry_run", "not_a_choice", {"value": flag, "choices": [*TRUE, *FALSE[1:]]})]
        )
    return flag in TRUE


@bp.get("/packs")
@operation("packs.list")
def packs() -> ResponseReturnValue:
    with api_session() as (session, actor):
        require_admin(actor)
        items = [
            {
                "id": p.id,
                "version": p.version,
                "title": text(p.title),
                "modules": p.modules,
                "installed_at": p.installed_at,
                "updated_at": p.updated_at,
            }
            for p in list_packs(session)
        ]
        return jsonify({"items": items})


@bp.post("/packs")
@operation("packs.import")
def import_() -> ResponseReturnValue:
    """Install or upgrade the pack in the body; 201 when something was written."""
    with api_session() as (session, actor):
        require_admin(actor)
        dry_run = _dry_run()
        json_body()  # media type, size and syntax are checked like every other body
        body = request.get_data(as_text=True)
        report = import_pack(session, body, dry_run=dry_run, by=actor.name)
        wrote = not report.dry_run and report.action != "unchanged"
        return jsonify(report.as_dict()), 201 if wrote else 200


@bp.get("/packs/<pack_id>")
@operation("packs.export")
def export(pack_id: str) -> ResponseReturnValue:
    """The installed pack exactly as it was imported."""
    with api_session() as (session, actor):
        require_admin(actor)
        return jsonify(export_pack(session, pack_id))


@bp.get("/packs/<pack_id>/history")
@operation("packs.history")
def history(pack_id: str) -> ResponseReturnValue:
    """Every version the pack has had, and every import and restore of it, newest first."""
    with api_session() as (session, actor):
        require_admin(actor)
        past = pack_history(session, pack_id)
        return jsonify(
            {
                "pack": past.pack_id,
                "version": past.current,
                "versions": [asdict(v) for v in past.versions],
                "events": [asdict(e) for e in past.events],
            }
        )


@bp.post("/packs/<pack_id>/restore")
@operation("packs.restore")
def restore(pack_id: str) -> ResponseReturnValue:
    """Install an earlier version again (`{"version": "1.1.0"}`); 409 when records would not
    survive it, with the counts."""
    with api_session() as (session, actor):
        require_admin(actor)
        dry_run = _dry_run()
        version = json_object(("version",)).get("version")
        if not isinstance(version, str) or not version:
            code = "required" if version in (None, "") else "not_text"
            raise ValidationFailed([Problem("/version", code, {"field": "version"})])
        report = restore_pack(session, pack_id, version, by=actor.name, dry_run=dry_run)
        return jsonify(report.as_dict())
