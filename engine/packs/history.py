"""A pack's past: every version it has had, who imported or restored what, and restores.

Each version a pack has carried is kept in `pack_versions` (its definition as imported, when
it was first installed and by whom); the admin trail holds the timeline of imports and
restores. Two stored versions are compared with the same structured diff as an import
(`engine.packs.diff`). A restore re-installs a stored definition through `import_pack`, so
it passes the same validation and the same upgrade refusals (a field that would lose its
values, a state that still holds records...) and changes nothing when refused; only this
road may install a version older than the one installed. See docs/packs-restore.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.admin_log import ACTIONS, log_admin_action
from engine.definitions.loader import compile_trusted
from engine.errors import NotFound
from engine.models import AdminEvent, InstalledPack, PackVersion
from engine.packs.diff import PackChange, pack_diff
from engine.packs.install import ImportReport, import_pack, pack_target


@dataclass(frozen=True)
class VersionEntry:
    """One version the pack has had: when it was first installed, by whom (None: the CLI)."""

    version: str
    installed_at: dt.datetime
    installed_by: str | None
    current: bool


@dataclass(frozen=True)
class PackEvent:
    """One import or restore of the pack, from the admin trail."""

    at: dt.datetime
    actor: str | None
    action: str  # pack.import | pack.restore
    from_version: str | None
    to_version: str | None


@dataclass(frozen=True)
class PackHistory:
    pack_id: str
    current: str
    versions: list[VersionEntry]  # newest first
    events: list[PackEvent]  # newest first

    @property
    def version_names(self) -> list[str]:
        return [v.version for v in self.versions]

    @property
    def other_version(self) -> str:
        """The newest version that is not installed (the installed one if it is the only)."""
        return next((v.version for v in self.versions if not v.current), self.current)


def _installed(session: Session, pack_id: str) -> InstalledPack:
    pack = session.get(InstalledPack, pack_id)
    if pack is None:
        raise NotFound(code="unknown_pack", pack=pack_id)
    return pack


def _stored(session: Session, pack_id: str, version: str) -> PackVersion:
    row = session.get(PackVersion, (pack_id, version))
    if row is None:
        raise NotFound(code="unknown_pack_version", pack=pack_id, version=version)
    return row


def _version_of(value: Any) -> str | None:
    """The version an event's before/after names: the value itself or its "version" key."""
    if isinstance(value, dict):
        value = value.get("version")
    return value if isinstance(value, str) else None


def pack_history(session: Session, pack_id: str) -> PackHistory:
    """Every version of an installed pack and every import and restore of it, newest first."""
    pack = _installed(session, pack_id)
    rows = session.scalars(
        select(PackVersion)
        .where(PackVersion.pack_id == pack_id)
        .order_by(PackVersion.installed_at.desc(), PackVersion.version.desc())
    )
    versions = [
        VersionEntry(r.version, r.installed_at, r.installed_by, r.version == pack.version)
        for r in rows
    ]
    trail = session.scalars(
        select(AdminEvent)
        .where(AdminEvent.target == pack_target(pack_id), AdminEvent.action.in_(ACTIONS["pack"]))
        .order_by(AdminEvent.id.desc())
    )
    events = [
        PackEvent(e.at, e.actor, e.action, _version_of(e.before), _version_of(e.after))
        for e in trail
    ]
    return PackHistory(pack.id, pack.version, versions, events)


def version_definition(session: Session, pack_id: str, version: str) -> dict[str, Any]:
    """A stored version's definition, exactly as it was imported."""
    return dict(_stored(session, pack_id, version).definition)


def version_diff(
    session: Session, pack_id: str, old_version: str, new_version: str
) -> list[PackChange]:
    """What going from one stored version of a pack to another changes, section by section."""
    old = compile_trusted(_stored(session, pack_id, old_version).definition)
    new = compile_trusted(_stored(session, pack_id, new_version).definition)
    return pack_diff(old, new)


def restore_pack(
    session: Session, pack_id: str, version: str, *, by: str | None, dry_run: bool = False
) -> ImportReport:
    """Install a stored version again, through the import (its checks and refusals).

    The pack carries that version's number again; records written under a newer version
    stay readable, or the restore is refused (UpgradeRefused, with counts) and nothing
    changes. Restoring the installed version is a no-op ("unchanged").
    """
    previous = _installed(session, pack_id).version
    definition = version_definition(session, pack_id, version)
    report = import_pack(session, definition, dry_run=dry_run, by=by, restoring=True)
    if report.action == "unchanged":
        return report
    report.action = "restored"
    if not dry_run:
        log_admin_action(
            session,
            by,
            "pack.restore",
            pack_target(pack_id),
            before={"version": previous},
            after={"version": version},
        )
    return report
