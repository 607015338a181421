"""What is installed: the pack list (from the compiled catalog) and the export of one pack.

The list says, for each pack, its version, its modules with how many records each holds
(one COUNT a module table), when it was installed and last changed, and who installed the
version in place (None: the command line).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.catalog import load_catalog
from engine.errors import NotFound
from engine.i18n import localize
from engine.models import InstalledPack, PackVersion


@dataclass
class PackSummary:
    id: str
    version: str
    title: Any
    modules: list[str]
    installed_at: dt.datetime
    updated_at: dt.datetime
    installed_by: str | None = None  # of the version in place; None: the command line
    records: dict[str, int] = field(default_factory=dict)  # module id → records
    requires: dict[str, str] = field(default_factory=dict)  # pack id → version range
    extends: list[str] = field(default_factory=list)  # modules of other packs it extends

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


def export_pack(session: Session, pack_id: str) -> dict[str, Any]:
    """The installed pack as JSON, exactly as it was imported (so it imports unchanged)."""
    pack = session.get(InstalledPack, pack_id)
    if pack is None:
        raise NotFound(code="unknown_pack", pack=pack_id)
    return dict(pack.definition)


def export_text(session: Session, pack_id: str) -> str:
    """The export as the file `formwork packs export` writes (UTF-8, indented, a final newline)."""
    return json.dumps(export_pack(session, pack_id), ensure_ascii=False, indent=2) + "\n"


def list_packs(session: Session, *, counts: bool = False) -> list[PackSummary]:
    """Installed packs by id; titles and modules from the compiled catalog, not the JSON.

    With `counts`, how many records each module holds (the sign-in page does not ask).
    """
    catalog = load_catalog(session)
    times = session.execute(
        select(
            InstalledPack.id,
            InstalledPack.installed_at,
            InstalledPack.updated_at,
            PackVersion.installed_by,
            InstalledPack.definition,
        )
        .outerjoin(
            PackVersion,
            (PackVersion.pack_id == InstalledPack.id)
            & (PackVersion.version == InstalledPack.version),
        )
        .order_by(InstalledPack.id)
    ).all()
    summaries = []
    for row in times:
        pack = catalog.packs[row.id]
        records = {
            m.id: session.scalar(select(func.count()).select_from(catalog.tables[m.id].main)) or 0
            for m in (pack.modules if counts else ())
        }
        summaries.append(
            PackSummary(
                id=pack.id,
                version=pack.version,
                title=pack.title,
                modules=[m.id for m in pack.modules],
                installed_at=row.installed_at,
                updated_at=row.updated_at,
                installed_by=row.installed_by,
                records=records,
                requires=dict(row.definition.get("requires") or {}),
                extends=list(row.definition.get("extends") or {}),
            )
        )
    return summaries


def pack_title(summary: PackSummary, language: str = "en") -> str:
    return localize(summary.title, language)
