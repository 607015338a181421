"""Packs: installing, upgrading, diffing, exporting and listing them.

An import is one transaction: validate the pack completely, compare it with what is
installed (`changes`), refuse an upgrade that existing records would not survive and plan
the data fixes it asks for (`upgrade`), alter the module tables with Alembic operations,
record the new version and, on a first install, create the pack's seed records (`install`).
Any error leaves nothing behind. A dry run does the same comparison and reports it without
writing. What is installed is listed and exported from the catalog (`installed`).
"""

from __future__ import annotations

from engine.packs.changes import describe_changes
from engine.packs.diff import PackChange, pack_diff
from engine.packs.install import ImportReport, import_pack
from engine.packs.installed import (
    PackSummary,
    export_pack,
    export_text,
    list_packs,
    pack_title,
)

__all__ = [
    "ImportReport",
    "PackChange",
    "PackSummary",
    "describe_changes",
    "export_pack",
    "export_text",
    "import_pack",
    "list_packs",
    "pack_diff",
    "pack_title",
]
