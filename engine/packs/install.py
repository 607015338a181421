"""Installing and upgrading a pack in one transaction, and seeding its demo records.

The road: parse the JSON text, validate and compile it (engine/definitions), refuse a module
id another pack owns or a version that is not newer, describe the changes, plan the DDL by
diffing the old and new tables, refuse what existing records would not survive
(`upgrade`), then alter the tables, apply the data fixes, record the version and seed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, func, select, true
from sqlalchemy.orm import Session

from engine.admin_log import log_admin_action
from engine.catalog import build_catalog, compiled_pack, installed_packs
from engine.definitions import Pack, load_pack, parse_pack_text
from engine.definitions.compiler import compile_pack
from engine.definitions.extensions import merge_extensions
from engine.errors import DefinitionError, Problem, UpgradeRefused
from engine.models import InstalledModule, InstalledPack, PackVersion
from engine.packs.changes import describe_changes
from engine.packs.dependencies import (
    Installed,
    Landscape,
    at_extensions,
    check_dependencies,
    landscape,
)
from engine.packs.diff import PackChange, pack_diff
from engine.packs.seed import seed_pack
from engine.packs.upgrade import Fix, StateFix, upgrade_refusals
from engine.records.rollups import drop_triggers, refresh_after_import
from engine.storage import DdlStep, ModuleTables, apply_ddl, build_tables, plan_ddl

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)")
AFFECTED_SHOWN = 50  # records of a data fix named one by one; the rest are counted


def pack_target(pack_id: str) -> str:
    """How the admin trail names a pack."""
    return f"pack {pack_id}"


@dataclass(frozen=True)
class AffectedRecords:
    """The records one data fix of an upgrade changes: the first of them and how many."""

    module: str
    fix: str  # what the fix does, as the dry run says it
    records: tuple[tuple[str, str | None], ...]  # (id, number), oldest first
    total: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "fix": self.fix,
            "records": [{"id": i, "number": n} for i, n in self.records],
            "total": self.total,
        }


@dataclass
class ImportReport:
    pack_id: str
    version: str
    action: str  # installed | upgraded | unchanged
    dry_run: bool = False
    previous_version: str | None = None
    changes: list[str] = field(default_factory=list)
    diff: list[PackChange] = field(default_factory=list)
    ddl: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    affected: list[AffectedRecords] = field(default_factory=list)
    seeded: int = 0

    def lines(self) -> list[str]:
        verb = f"would be {self.action}" if self.dry_run else self.action
        if self.action == "unchanged":
            verb = "unchanged"
        head = f"pack {self.pack_id} {self.version}: {verb}"
        if self.previous_version and self.previous_version != self.version:
            head += f" (from {self.previous_version})"
        lines = [head]
        lines += [f"  {c}" for c in self.changes]
        lines += [f"  table: {d}" for d in self.ddl]
        lines += [f"  data: {m}" for m in self.migrated]
        if self.seeded:
            lines.append(f"  seed: {self.seeded} demo records created")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack_id,
            "version": self.version,
            "action": self.action,
            "dry_run": self.dry_run,
            "previous_version": self.previous_version,
            "changes": self.changes,
            "ddl": self.ddl,
            "migrated": self.migrated,
            "affected": [a.as_dict() for a in self.affected],
            "diff": [c.as_dict() for c in self.diff],
            "seeded": self.seeded,
        }


def _version_key(version: str) -> tuple[int, int, int]:
    match = SEMVER.match(version)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else (0, 0, 0)


def _compiled(row: InstalledPack) -> Pack:
    return compiled_pack(row.id, row.version, str(row.updated_at), row.definition)


def _load_new(
    session: Session, raw: Mapping[str, Any], others: Mapping[str, InstalledPack]
) -> Pack:
    """The pack validated against the other installed packs; none of its modules theirs."""
    merged = merge_extensions({pid: p.definition for pid, p in others.items()})
    other_modules = {m["id"]: m for d in merged.values() for m in d.get("modules", ())}
    pack = load_pack(raw, installed_modules=other_modules)
    owners = {m.id: p.id for p in others.values() for m in _compiled(p).modules}
    clashes = [
        Problem(f"/modules/{i}/id", "module_taken", {"module": m.id, "pack": owners[m.id]})
        for i, m in enumerate(pack.modules)
        if m.id in owners
    ]
    if clashes:
        raise DefinitionError(clashes)
    return pack


def _check_version(
    session: Session, pack: Pack, raw: dict[str, Any], current: InstalledPack, restoring: bool
) -> None:
    """A version number names one definition: a new one must be newer than the installed
    one (a restore may go back), and one the pack had before must come with its content."""
    stored = session.get(PackVersion, (pack.id, pack.version))
    if current.version == pack.version or (stored is not None and stored.definition != raw):
        params = {"version": pack.version}
        raise DefinitionError([Problem("/version", "version_unchanged", params)])
    if not restoring and _version_key(pack.version) < _version_key(current.version):
        params = {"version": pack.version, "installed": current.version}
        raise DefinitionError([Problem("/version", "version_older", params)])


@dataclass
class _Plan:
    """The tables before and after, and the DDL steps from one to the other."""

    old_tables: dict[str, ModuleTables]
    new_tables: dict[str, ModuleTables]
    steps: list[DdlStep]


def _plan(old_all: Mapping[str, Pack], new_all: Mapping[str, Pack], changed: list[str]) -> _Plan:
    """The DDL of the changed packs' modules (the pack's own and those it extends)."""
    old_catalog = build_catalog(list(old_all.values()))
    new_catalog = build_catalog(list(new_all.values()))
    old_modules = [m for pid in changed if pid in old_all for m in old_all[pid].modules]
    new_modules = [m for pid in changed for m in new_all[pid].modules]
    old_tables = {m.id: old_catalog.tables[m.id] for m in old_modules}
    new_tables = {m.id: new_catalog.tables[m.id] for m in new_modules}
    # tables of the changed modules, built afresh so create_table gets a clean copy
    fresh = MetaData()
    all_new = list(new_catalog.modules.values())
    all_reports = list(new_catalog.reports.values())
    fresh_tables = {m.id: build_tables(m, fresh, all_new, all_reports) for m in new_modules}
    steps = plan_ddl(
        [t for tables in old_tables.values() for t in tables.all()],
        [t for tables in fresh_tables.values() for t in tables.all()],
    )
    return _Plan(old_tables, new_tables, steps)


def _refusals(
    session: Session,
    world: Landscape,
    old_all: Mapping[str, Pack],
    new_all: Mapping[str, Pack],
    plan: _Plan,
) -> list[Fix]:
    """Refuse what existing records would not survive, in the pack and the modules it extends."""
    problems: list[Problem] = []
    fixes: list[Fix] = []
    for pid in world.changed:
        if pid not in old_all:
            continue
        found, more = upgrade_refusals(
            session, old_all[pid], new_all[pid], plan.old_tables, plan.steps
        )
        if pid != world.pack_id:
            found = at_extensions(found, new_all[pid])
        problems += found
        fixes += more
    if problems:
        raise UpgradeRefused(problems)
    return fixes


def _affected(session: Session, fix: Fix, tables: Mapping[str, ModuleTables]) -> AffectedRecords:
    """The records `fix` will change, read from the tables before the upgrade."""
    table = tables[fix.module.id].main
    if isinstance(fix, StateFix):
        condition = table.c.state == fix.old
    else:  # a newly required field: the records without a value (all of them, if it is new)
        name = fix.field.name
        condition = table.c[name].is_(None) if name in table.c else true()
    total = session.scalar(select(func.count()).select_from(table).where(condition)) or 0
    rows = session.execute(
        select(table.c.id, table.c.number)
        .where(condition)
        .order_by(table.c.created_at, table.c.id)
        .limit(AFFECTED_SHOWN)
    )
    return AffectedRecords(
        fix.module.id, fix.planned(), tuple((r.id, r.number) for r in rows), total
    )


def _record_version(
    session: Session,
    pack: Pack,
    raw: dict[str, Any],
    current: InstalledPack | None,
    by: str | None,
) -> None:
    """Write the installed version, its history row and which modules the pack owns."""
    now = dt.datetime.now(dt.UTC)
    if current is None:
        session.add(
            InstalledPack(
                id=pack.id, version=pack.version, definition=raw, installed_at=now, updated_at=now
            )
        )
    else:
        current.version = pack.version
        current.definition = raw
        current.updated_at = now
    if session.get(PackVersion, (pack.id, pack.version)) is None:
        session.add(
            PackVersion(
                pack_id=pack.id,
                version=pack.version,
                definition=raw,
                installed_at=now,
                installed_by=by,
            )
        )
    for owned in session.scalars(select(InstalledModule).where(InstalledModule.pack_id == pack.id)):
        if owned.id not in pack.module_map:
            session.delete(owned)
    for module in pack.modules:
        if session.get(InstalledModule, module.id) is None:
            session.add(InstalledModule(id=module.id, pack_id=pack.id))
    session.flush()


def _log_import(session: Session, report: ImportReport, by: str | None) -> None:
    """The admin trail's row of an import: the version before and after, how many changes."""
    before = {"version": report.previous_version} if report.previous_version else None
    after = {"version": report.version, "changes": len(report.diff)}
    target = pack_target(report.pack_id)
    log_admin_action(session, by, "pack.import", target, before=before, after=after)


def _compiled_landscape(
    raw: dict[str, Any], installed: Mapping[str, InstalledPack]
) -> tuple[Landscape, dict[str, Pack], dict[str, Pack]]:
    """Check what the pack requires and extends, then every installed pack compiled before
    and after the import, each owner with the extensions made to its modules."""
    versions = {pid: Installed(p.version, p.definition) for pid, p in installed.items()}
    check_dependencies(raw, versions)
    world = landscape(raw, versions)
    old_all = {p.id: p for p in installed_packs(list(installed.values()))}
    new_all = {
        pid: compile_pack(world.new[pid]) if pid in world.changed else old_all[pid]
        for pid in sorted(world.new)
    }
    return world, old_all, new_all


def import_pack(
    session: Session,
    source: str | bytes | Mapping[str, Any],
    *,
    dry_run: bool = False,
    by: str | None = None,
    restoring: bool = False,
) -> ImportReport:
    """Install or upgrade a pack (or only report what would change, with `dry_run`).

    `by` is the acting user's name, kept with the version and in the admin trail (None: the
    command line). `restoring` (engine/packs/history.py only) lets an earlier stored version
    back in; the restore leaves its own row in the trail.
    """
    raw = parse_pack_text(source)
    installed = {p.id: p for p in session.scalars(select(InstalledPack))}
    pack_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    others = {pid: p for pid, p in installed.items() if pid != pack_id}
    _load_new(session, raw, others)
    world, old_all, new_all = _compiled_landscape(raw, installed)
    pack = new_all[world.pack_id]
    current = installed.get(pack.id)
    report = ImportReport(pack.id, pack.version, "installed", dry_run=dry_run)
    if current is not None:
        report.previous_version = current.version
        if current.definition == raw:
            report.action = "unchanged"
            return report
        _check_version(session, pack, raw, current, restoring)
        report.action = "upgraded"
    old_pack = old_all.get(pack.id)
    report.changes = describe_changes(old_pack, pack)
    report.diff = pack_diff(old_pack, pack)
    for owner in world.changed[1:]:
        report.changes += describe_changes(old_all[owner], new_all[owner])
    plan = _plan(old_all, new_all, world.changed)
    report.ddl = [s.describe() for s in plan.steps]
    fixes = _refusals(session, world, old_all, new_all, plan)
    report.migrated = [fix.planned() for fix in fixes]
    report.affected = [_affected(session, fix, plan.old_tables) for fix in fixes]
    if dry_run:
        return report
    drop_triggers(session.connection())  # a dropped column may be one a trigger reads
    apply_ddl(session.connection(), plan.steps)
    if fixes:
        report.migrated = [fix.apply(session, plan.new_tables) for fix in fixes]
    _record_version(session, pack, raw, current, by)
    refresh_after_import(session, [m.id for pid in world.changed for m in new_all[pid].modules])
    if not restoring:
        _log_import(session, report, by)
    if current is None and pack.seed:
        report.seeded = seed_pack(session, pack)
    return report
