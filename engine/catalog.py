"""The installed modules at one moment: compiled packs, their tables and reports.

A catalog is built from the `packs` table and cached per set of (pack, version) pairs, so a
transaction pays one small query to learn whether anything changed, and compiles nothing
when it did not. Every worker process sees a new pack version on its next transaction.

Within a transaction the catalog is a snapshot kept in `session.info`: every service call
of a request reads the same catalog without asking the database again. The snapshot is
dropped when the transaction ends or anything rolls back (a savepoint too) and when the
session flushes a change to `packs` (an import in the same transaction sees its own pack
at once).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, event, select
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from engine.definitions import Module, Pack, Report
from engine.definitions.compiler import compile_pack
from engine.definitions.extensions import extenders, merge_extensions
from engine.errors import NotFound
from engine.models import InstalledPack
from engine.storage import ModuleTables, build_tables

ModuleRef = str | Module  # what a service takes: the compiled module, or its id to look up


@dataclass
class Catalog:
    packs: dict[str, Pack] = field(default_factory=dict)
    modules: dict[str, Module] = field(default_factory=dict)
    tables: dict[str, ModuleTables] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)
    metadata: MetaData = field(default_factory=MetaData)
    selects: dict[Any, Any] = field(default_factory=dict)  # built statements, by shape

    def module(self, module_id: ModuleRef) -> Module:
        """The module of this catalog by id, or the catalog's own copy of a compiled one."""
        key = module_id.id if isinstance(module_id, Module) else module_id
        try:
            return self.modules[key]
        except KeyError:
            raise NotFound(code="unknown_module", module=key) from None

    def report(self, report_id: str) -> Report:
        try:
            return self.reports[report_id]
        except KeyError:
            raise NotFound(code="unknown_report", report=report_id) from None

    def tables_of(self, module_id: str) -> ModuleTables:
        return self.tables[self.module(module_id).id]


def build_catalog(packs: list[Pack]) -> Catalog:
    catalog = Catalog()
    all_modules = [m for p in packs for m in p.modules]
    for pack in packs:
        catalog.packs[pack.id] = pack
        for module in pack.modules:
            catalog.modules[module.id] = module
        for report in pack.reports:
            catalog.reports[report.id] = report
    for module in all_modules:
        catalog.tables[module.id] = build_tables(
            module, catalog.metadata, all_modules, catalog.reports.values()
        )
    return catalog


_lock = threading.Lock()
_compiled: dict[tuple[str, str, str], Pack] = {}
_catalogs: dict[frozenset[tuple[str, str, str]], Catalog] = {}


def compiled_pack(pack_id: str, version: str, stamp: str, definition: dict[str, Any]) -> Pack:
    """Compile an installed pack version once per process.

    The key includes the install time, so two databases holding different contents under
    the same pack version (a test run, a re-created instance) never share a compiled pack.
    """
    key = (pack_id, version, stamp)
    with _lock:
        pack = _compiled.get(key)
    if pack is None:
        pack = compile_pack(definition)
        with _lock:
            _compiled[key] = pack
    return pack


def installed_packs(rows: Sequence[Any]) -> list[Pack]:
    """Installed packs compiled with the extensions other packs make to their modules.

    `rows` carry id, version, updated_at and definition (InstalledPack rows). A pack's
    compiled form is cached under its own stamp plus the stamps of the packs extending it,
    so an owner is compiled again when an extension of its modules changes.
    """
    by_id = {r.id: r for r in rows}
    merged = merge_extensions({r.id: r.definition for r in rows})
    extending = extenders({r.id: r.definition for r in rows})
    packs = []
    for row in rows:
        stamp = "".join(
            [
                str(row.updated_at),
                *(f"|{d}:{by_id[d].updated_at}" for d in extending.get(row.id, ())),
            ]
        )
        packs.append(compiled_pack(row.id, row.version, stamp, merged[row.id]))
    return packs


SNAPSHOT_KEY = "formwork.catalog"


def load_catalog(session: Session) -> Catalog:
    """The catalog of what is installed now: the transaction's snapshot, else from cache."""
    snapshot = session.info.get(SNAPSHOT_KEY)
    if snapshot is not None:
        return snapshot
    catalog = _current_catalog(session)
    session.info[SNAPSHOT_KEY] = catalog
    return catalog


def forget_catalog(session: Session) -> None:
    """Drop the transaction's snapshot, so the next call reads `packs` again."""
    session.info.pop(SNAPSHOT_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # a savepoint released keeps what its transaction saw
        forget_catalog(session)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    forget_catalog(session)  # any rollback, a savepoint's included: what it saw is gone


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush: UOWTransaction) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, InstalledPack) for obj in changed):
        forget_catalog(session)


def _current_catalog(session: Session) -> Catalog:
    """The catalog of what is installed now, from the process cache when nothing changed."""
    versions = session.execute(
        select(InstalledPack.id, InstalledPack.version, InstalledPack.updated_at)
    ).all()
    key = frozenset((row.id, row.version, str(row.updated_at)) for row in versions)
    with _lock:
        catalog = _catalogs.get(key)
    if catalog is not None:
        return catalog
    rows = session.execute(
        select(
            InstalledPack.id,
            InstalledPack.version,
            InstalledPack.updated_at,
            InstalledPack.definition,
        ).order_by(InstalledPack.id)
    ).all()
    catalog = build_catalog(installed_packs(rows))
    with _lock:
        if len(_catalogs) > 32:
            _catalogs.clear()
        _catalogs[key] = catalog
    return catalog
