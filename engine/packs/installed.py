"""What is installed: the pack list (from the compiled catalog) and the export of one pack."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalog import load_catalog
from engine.errors import NotFound
from engine.i18n import localize
from engine.models import InstalledPack


@dataclass
class PackSummary:
    id: str
    version: str
    title: Any
    modules: list[str]
    installed_at: dt.datetime
    updated_at: dt.datetime


def export_pack(session: Session, pack_id: str) -> dict[str, Any]:
    """The installed pack as JSON, exactly as it was imported (so it imports unchanged)."""
    pack = session.get(InstalledPack, pack_id)
    if pack is None:
        raise NotFound(code="unknown_pack", pack=pack_id)
    return dict(pack.definition)


def list_packs(session: Session) -> list[PackSummary]:
    """Installed packs by id; titles and modules from the compiled catalog, not the JSON."""
    catalog = load_catalog(session)
    times = session.execute(
        select(InstalledPack.id, InstalledPack.installed_at, InstalledPack.updated_at).order_by(
            InstalledPack.id
        )
    ).all()
    summaries = []
    for row in times:
        pack = catalog.packs[row.id]
        summaries.append(
            PackSummary(
                id=pack.id,
                version=pack.version,
                title=pack.title,
                modules=[m.id for m in pack.modules],
                installed_at=row.installed_at,
                updated_at=row.updated_at,
            )
        )
    return summaries


def pack_title(summary: PackSummary, language: str = "en") -> str:
    return localize(summary.title, language)
