"""Installing, upgrading, diffing, exporting and listing packs.

An import is one transaction: validate the pack completely, compare it with what is
installed, refuse an upgrade that existing records would not survive (saying how many
records and why), alter the module tables with Alembic operations, record the new version
and, on a first install, create the pack's seed records. Any error leaves nothing behind.
A dry run does the same comparison and reports it without writing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, func, or_, select, update
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.catalog import build_catalog, compiled_pack, load_catalog
from engine.definitions import Module, Pack, load_pack, parse_pack_text
from engine.definitions.compiler import compile_pack
from engine.errors import DefinitionError, NotFound, Problem, UpgradeRefused
from engine.i18n import localize
from engine.models import InstalledModule, InstalledPack, PackVersion
from engine.storage import DdlStep, apply_ddl, build_tables, plan_ddl

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


@dataclass
class ImportReport:
    pack_id: str
    version: str
    action: str  # installed | upgraded | unchanged
    dry_run: bool = False
    previous_version: str | None = None
    changes: list[str] = field(default_factory=list)
    ddl: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
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
            "seeded": self.seeded,
        }


@dataclass
class PackSummary:
    id: str
    version: str
    title: Any
    modules: list[str]
    installed_at: dt.datetime
    updated_at: dt.datetime


def _version_key(version: str) -> tuple[int, int, int]:
    match = SEMVER.match(version)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else (0, 0, 0)


def _installed(session: Session) -> dict[str, InstalledPack]:
    return {p.id: p for p in session.scalars(select(InstalledPack))}


# --- differences --------------------------------------------------------------------------


def _diff_names(
    kind: str, old: Mapping[str, Any], new: Mapping[str, Any], where: str = ""
) -> list[str]:
    prefix = f"{where} " if where else ""
    lines = [f"+ {prefix}{kind} {name}" for name in new if name not in old]
    lines += [f"- {prefix}{kind} {name}" for name in old if name not in new]
    lines += [f"~ {prefix}{kind} {name}" for name in new if name in old and old[name] != new[name]]
    return lines


def describe_changes(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """Modules, fields, states, transitions, roles and reports added (+), removed (-), changed (~)."""
    old = old or {}
    old_modules = {m["id"]: m for m in old.get("modules", ())}
    new_modules = {m["id"]: m for m in new.get("modules", ())}
    lines = _diff_names(
        "role",
        {r["id"]: r for r in old.get("roles", ())},
        {r["id"]: r for r in new.get("roles", ())},
    )
    lines += _diff_names("module", old_modules, new_modules)
    for module_id, module in new_modules.items():
        before = old_modules.get(module_id)
        if before is None:
            continue
        where = f"module {module_id}:"
        lines += _diff_names(
            "field",
            before["schema"].get("properties", {}),
            module["schema"].get("properties", {}),
            where,
        )
        old_wf, new_wf = before.get("workflow") or {}, module.get("workflow") or {}
        lines += _diff_names("state", old_wf.get("states", {}), new_wf.get("states", {}), where)
        lines += _diff_names(
            "transition",
            {t["id"]: t for t in old_wf.get("transitions", ())},
            {t["id"]: t for t in new_wf.get("transitions", ())},
            where,
        )
        for part in ("ui", "permissions", "prints", "numbering", "title", "title_field"):
            if before.get(part) != module.get(part):
                lines.append(f"~ {where} {part}")
    lines += _diff_names(
        "report",
        {r["id"]: r for r in old.get("reports", ())},
        {r["id"]: r for r in new.get("reports", ())},
    )
    return lines


# --- upgrade safety -------------------------------------------------------------------------


def _count(session: Session, table: Any, *conditions: Any) -> int:
    return session.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one()


def _sample(session: Session, table: Any, condition: Any, limit: int = 10) -> str:
    """Numbers (or ids) of the first records matching, to name them in a refusal or dry run."""
    rows = (
        session.execute(
            select(func.coalesce(table.c.number, table.c.id))
            .where(condition)
            .order_by(table.c.created_at)
            .limit(limit + 1)
        )
        .scalars()
        .all()
    )
    shown = ", ".join(rows[:limit])
    return f"{shown}, …" if len(rows) > limit else shown


def _upgrade_refusals(
    session: Session,
    old: Pack,
    new: Pack,
    old_tables: dict[str, Any],
    new_tables: dict[str, Any],
    steps: list[DdlStep],
) -> tuple[list[Problem], list[tuple[str, Any]]]:
    """Problems existing records would have with `new`, and the data fixes `migrate` asks for."""
    problems: list[Problem] = []
    fixes: list[tuple[str, Any]] = []
    new_index = {m.id: i for i, m in enumerate(new.modules)}
    for old_module in old.modules:
        table = old_tables[old_module.id].main
        module = new.module_map.get(old_module.id)
        if module is None:
            count = _count(session, table)
            if count:
                problems.append(
                    Problem(
                        "/modules", f"module {old_module.id!r} is removed but holds {count} records"
                    )
                )
            continue
        base = f"/modules/{new_index[module.id]}"
        records = _count(session, table)
        for old_field in old_module.stored_fields:
            new_field = module.field(old_field.name)
            column = table.c[old_field.name]
            if new_field is None or not new_field.stored:
                count = _count(session, table, column.is_not(None))
                if count and old_field.name not in module.migrate.drop:
                    problems.append(
                        Problem(
                            f"{base}/schema/properties",
                            f"field {old_field.name!r} is removed but {count} records hold a value; "
                            f"list it in migrate.drop to discard them",
                        )
                    )
                continue
            retyped = any(
                s.action == "alter_column" and s.table == table.name and s.column == old_field.name
                for s in steps
            )
            if retyped:
                count = _count(session, table, column.is_not(None))
                if count:
                    problems.append(
                        Problem(
                            f"{base}/schema/properties/{old_field.name}",
                            f"field {old_field.name!r} changes from {old_field.kind} to {new_field.kind} "
                            f"(scale {old_field.scale} → {new_field.scale}) but {count} records hold a value",
                        )
                    )
            elif (
                new_field.kind in ("choice",)
                and new_field.enum is not None
                and old_field.enum is not None
            ):
                gone = [v for v in old_field.enum if v not in new_field.enum]
                if gone:
                    count = _count(session, table, column.in_(gone))
                    if count:
                        problems.append(
                            Problem(
                                f"{base}/schema/properties/{old_field.name}/enum",
                                f"values {gone} are removed but {count} records use them",
                            )
                        )
        for new_field in module.fields:
            if not new_field.required or new_field.computed or new_field.kind == "table":
                continue
            old_field = old_module.field(new_field.name)
            if old_field is not None and old_field.required:
                continue
            default = module.migrate.defaults.get(new_field.name, new_field.default)
            if new_field.stored:
                condition = (
                    table.c[new_field.name].is_(None)
                    if old_field is not None and old_field.stored
                    else None
                )
                count = records if condition is None else _count(session, table, condition)
            else:
                count = 0
            if count and default is None:
                problems.append(
                    Problem(
                        f"{base}/schema/required",
                        f"new required field {new_field.name!r} has no default but {count} records have no "
                        f"value; give it a default or migrate.defaults",
                    )
                )
            elif count:
                fixes.append(("default", (module, new_field, default)))
        if old_module.workflow is not None:
            new_states = set(module.workflow.states) if module.workflow else set()
            for state in old_module.workflow.states:
                if state in new_states:
                    continue
                count = _count(session, table, table.c.state == state)
                target = module.migrate.states.get(state)
                if count and target is None:
                    which = _sample(session, table, table.c.state == state)
                    problems.append(
                        Problem(
                            f"{base}/workflow/states",
                            f"state {state!r} is removed but {count} records are in it ({which}); map it in migrate.states",
                        )
                    )
                elif count:
                    which = _sample(session, table, table.c.state == state)
                    fixes.append(("state", (module, state, target, count, which)))
    return problems, fixes


def _apply_fixes(
    session: Session, new_tables: dict[str, Any], fixes: list[tuple[str, Any]]
) -> list[str]:
    from engine.records.coercion import coerce_input

    lines = []
    for kind, payload in fixes:
        if kind == "state":
            module, old_state, new_state, count, _ = payload
            table = new_tables[module.id].main
            session.execute(update(table).where(table.c.state == old_state).values(state=new_state))
            lines.append(
                f"{module.id}: {count} records moved from state {old_state} to {new_state}"
            )
        else:
            module, f, default = payload
            table = new_tables[module.id].main
            value = coerce_input(module, {f.name: default})[f.name] if not f.computed else default
            result = session.execute(
                update(table).where(or_(table.c[f.name].is_(None))).values({f.name: value})
            )
            lines.append(f"{module.id}: {result.rowcount} records get {f.name} = {default!r}")
    return lines


# --- import ---------------------------------------------------------------------------------


def import_pack(
    session: Session, source: str | bytes | Mapping[str, Any], *, dry_run: bool = False
) -> ImportReport:
    """Install or upgrade a pack (or only report what would change, with `dry_run`)."""
    raw = parse_pack_text(source)
    installed = _installed(session)
    pack_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    others = {pid: p for pid, p in installed.items() if pid != pack_id}
    other_modules = {m["id"]: m for p in others.values() for m in p.definition.get("modules", ())}
    pack = load_pack(raw, installed_modules=other_modules)
    clashes = [
        Problem(
            f"/modules/{i}/id",
            f"module id {m.id!r} already belongs to pack {session.get(InstalledModule, m.id).pack_id!r}",
        )  # type: ignore[union-attr]
        for i, m in enumerate(pack.modules)
        if m.id in other_modules
    ]
    if clashes:
        raise DefinitionError(clashes)
    current = installed.get(pack.id)
    report = ImportReport(pack.id, pack.version, "installed", dry_run=dry_run)
    if current is not None:
        report.previous_version = current.version
        if current.definition == raw:
            report.action = "unchanged"
            return report
        if current.version == pack.version:
            raise DefinitionError(
                [
                    Problem(
                        "/version",
                        f"version {pack.version} is installed with other content; raise the version",
                    )
                ]
            )
        if _version_key(pack.version) < _version_key(current.version):
            raise DefinitionError(
                [
                    Problem(
                        "/version",
                        f"version {pack.version} is older than the installed {current.version}",
                    )
                ]
            )
        report.action = "upgraded"
    report.changes = describe_changes(current.definition if current else None, raw)

    other_packs = [
        compiled_pack(p.id, p.version, str(p.updated_at), p.definition) for p in others.values()
    ]
    old_pack = compile_pack(current.definition) if current else None
    old_catalog = build_catalog([*other_packs, *([old_pack] if old_pack else [])])
    new_catalog = build_catalog([*other_packs, pack])
    old_tables = {m.id: old_catalog.tables[m.id] for m in (old_pack.modules if old_pack else ())}
    new_tables = {m.id: new_catalog.tables[m.id] for m in pack.modules}
    # tables of the pack's modules, built afresh so create_table gets a clean copy
    fresh = MetaData()
    all_new = list(new_catalog.modules.values())
    all_reports = list(new_catalog.reports.values())
    fresh_tables = {m.id: build_tables(m, fresh, all_new, all_reports) for m in pack.modules}
    steps = plan_ddl(
        [t for tables in old_tables.values() for t in tables.all()],
        [t for tables in fresh_tables.values() for t in tables.all()],
    )
    report.ddl = [s.describe() for s in steps]
    fixes: list[tuple[str, Any]] = []
    if old_pack is not None:
        problems, fixes = _upgrade_refusals(session, old_pack, pack, old_tables, new_tables, steps)
        if problems:
            raise UpgradeRefused(problems)
        report.migrated = [
            f"{p[0].id}: {p[3]} records would move from state {p[1]} to {p[2]}: {p[4]}"
            if k == "state"
            else f"{p[0].id}: fill {p[1].name} = {p[2]!r}"
            for k, p in fixes
        ]
    if dry_run:
        return report

    apply_ddl(session.connection(), steps)
    if fixes:
        report.migrated = _apply_fixes(session, new_tables, fixes)
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
            PackVersion(pack_id=pack.id, version=pack.version, definition=raw, installed_at=now)
        )
    for module in session.scalars(
        select(InstalledModule).where(InstalledModule.pack_id == pack.id)
    ):
        if module.id not in pack.module_map:
            session.delete(module)
    for module in pack.modules:
        if session.get(InstalledModule, module.id) is None:
            session.add(InstalledModule(id=module.id, pack_id=pack.id))
    session.flush()
    if current is None and pack.seed:
        report.seeded = _seed(session, pack)
    return report


def _resolve_seed_links(value: Any, keys: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        if set(value) == {"$seed"}:
            key = value["$seed"]
            if key not in keys:
                raise DefinitionError(
                    [Problem("/seed", f"seed key {key!r} is used before it is defined")]
                )
            return keys[key]
        return {k: _resolve_seed_links(v, keys) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_seed_links(v, keys) for v in value]
    return value


def _seed(session: Session, pack: Pack) -> int:
    """Create the pack's demo records; `{"$seed": key}` links to a record seeded with `"$key"`."""
    from engine.errors import BatchFailed
    from engine.records.service import create_records, get_record
    from engine.workflow.tasks import enter_state

    catalog = load_catalog(session)  # with the pack just installed
    keys: dict[str, str] = {}
    count = 0
    for module_id, records in pack.seed.items():
        module = module_of(pack, module_id)
        for index, record in enumerate(records):
            data = {k: v for k, v in record.items() if k not in ("$key", "$state")}
            data = _resolve_seed_links(data, keys)
            try:
                (created,) = create_records(
                    session, module_id, [data], SYSTEM, states=[record.get("$state")]
                )
            except BatchFailed as exc:
                raise DefinitionError(
                    [Problem(f"/seed/{module_id}/{index}{p.path}", p.message) for _, p in exc.items]
                ) from None
            if record.get("$state"):  # waiting records open the same inbox items as a transition
                placed = get_record(session, module_id, created, SYSTEM)
                enter_state(session, catalog, module, placed, placed.updated_at)
            if "$key" in record:
                keys[record["$key"]] = created
            count += 1
    return count


def export_pack(session: Session, pack_id: str) -> dict[str, Any]:
    """The installed pack as JSON, exactly as it was imported (so it imports unchanged)."""
    pack = session.get(InstalledPack, pack_id)
    if pack is None:
        raise NotFound(f"no installed pack {pack_id!r}")
    return dict(pack.definition)


def list_packs(session: Session) -> list[PackSummary]:
    return [
        PackSummary(
            id=p.id,
            version=p.version,
            title=p.definition.get("title", p.id),
            modules=[m["id"] for m in p.definition.get("modules", ())],
            installed_at=p.installed_at,
            updated_at=p.updated_at,
        )
        for p in session.scalars(select(InstalledPack).order_by(InstalledPack.id))
    ]


def pack_title(summary: PackSummary, language: str = "en") -> str:
    return localize(summary.title, language)


def module_of(pack: Pack, module_id: str) -> Module:
    return pack.module_map[module_id]
