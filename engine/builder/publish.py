"""Checking a draft as the import would, and publishing it through the import itself.

The builder has no road of its own into the database: `compile_draft` runs the pack checks
the import runs (against the other installed packs), and `publish_draft` hands the draft,
at its next version, to `import_pack` — first as a dry run, then for real — so a builder
publish is refused for exactly the reasons an import is, and leaves the same history.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.builder.drafts import get_draft
from engine.catalog import load_catalog
from engine.definitions import Pack, load_pack
from engine.errors import Conflict, DefinitionError, Problem
from engine.models import BuilderDraft, InstalledModule, InstalledPack, PackVersion, aware
from engine.packs import ImportReport, import_pack
from engine.packs.install import SEMVER

FIRST_VERSION = "1.0.0"


class DraftBehind(Conflict):
    """The installed pack moved on since the draft started: publishing would lose a change."""

    code = "builder_draft_behind"


# The last few compiled drafts by the hash of what went in: the preview and the live checks
# compile the same unchanged draft on every keystroke, and the pack checks (JSON Schema
# walk included) are most of their time. A compiled Pack is frozen, so sharing it is safe.
_COMPILED: OrderedDict[str, Pack | DefinitionError] = OrderedDict()
_COMPILED_KEPT = 32
_COMPILED_LOCK = threading.Lock()


def compile_draft(session: Session, definition: dict[str, Any]) -> Pack:
    """The draft's pack compiled in memory, or DefinitionError with every problem."""
    pack_id = definition.get("id")
    others = session.scalars(select(InstalledPack).where(InstalledPack.id != pack_id))
    modules = {m["id"]: m for p in others for m in p.definition.get("modules", ())}
    entered = json.dumps([definition, modules], default=str)  # key order is meaning: unsorted
    key = hashlib.sha256(entered.encode()).hexdigest()
    with _COMPILED_LOCK:
        known = _COMPILED.get(key)
        if known is not None:
            _COMPILED.move_to_end(key)
    if known is None:
        known = _compile(definition, modules)
        with _COMPILED_LOCK:
            _COMPILED[key] = known
            while len(_COMPILED) > _COMPILED_KEPT:
                _COMPILED.popitem(last=False)
    if isinstance(known, DefinitionError):
        raise DefinitionError(known.problems)
    return known


def _compile(definition: dict[str, Any], modules: dict[str, Any]) -> Pack | DefinitionError:
    problems = [
        Problem(f"/modules/{i}/id", "builder_module_taken", {"value": m.get("id")})
        for i, m in enumerate(definition.get("modules", ()))
        if isinstance(m, dict) and m.get("id") in modules
    ]
    if problems:
        return DefinitionError(problems)
    try:
        return load_pack(copy.deepcopy(definition), installed_modules=modules)
    except DefinitionError as refused:
        return refused


def value_count(session: Session, module_id: str, name: str) -> int:
    """How many records of an installed module hold a value in the field (0: none, or the
    module or field is not installed yet)."""
    if session.get(InstalledModule, module_id) is None:
        return 0
    tables = load_catalog(session).tables.get(module_id)
    if tables is None:
        return 0
    if name in tables.children:
        child = tables.children[name]
        query = select(func.count(func.distinct(child.c.parent_id)))
    elif name in tables.main.c:
        column = tables.main.c[name]
        query = select(func.count()).select_from(tables.main).where(column.is_not(None))
    else:
        return 0
    return int(session.scalar(query) or 0)


def next_version(session: Session, pack_id: str, base: str | None) -> str:
    """1.0.0 for a new pack; else the next minor version no earlier version has used."""
    if base is None:
        return FIRST_VERSION
    match = SEMVER.match(base)
    major, minor = (int(match.group(1)), int(match.group(2))) if match else (1, 0)
    while True:
        minor += 1
        version = f"{major}.{minor}.0"
        if session.get(PackVersion, (pack_id, version)) is None:
            return version


def _check_base(session: Session, draft: BuilderDraft) -> None:
    current = session.get(InstalledPack, draft.pack_id)
    installed = current.version if current is not None else None
    if installed == draft.base_version:
        return
    if installed is None:
        raise Conflict(code="builder_draft_gone", pack=draft.pack_id)
    base = draft.base_version or "-"
    raise DraftBehind(
        code="builder_draft_behind", pack=draft.pack_id, installed=installed, version=base
    )


def draft_stamp(draft: BuilderDraft) -> str:
    """When the draft was last edited, as the review page carries it to the confirmation."""
    return aware(draft.updated_at).isoformat()


def publish_draft(
    session: Session, owner: str, draft_id: str, *, dry_run: bool, reviewed: str | None = None
) -> ImportReport:
    """Import the draft as its pack's next version (`dry_run`: only say what would change).

    Refused with Conflict when the installed pack moved on since the draft started, and with
    the import's own DefinitionError or UpgradeRefused otherwise; `reviewed` (the draft's
    stamp when its dry run was shown) refuses a draft edited since. A publish removes it.
    """
    draft = get_draft(session, owner, draft_id)
    if reviewed is not None and reviewed != draft_stamp(draft):
        raise Conflict(code="builder_draft_changed")
    _check_base(session, draft)
    definition = copy.deepcopy(draft.definition)
    definition["version"] = next_version(session, draft.pack_id, draft.base_version)
    report = import_pack(session, definition, dry_run=dry_run, by=owner)
    if not dry_run:
        session.delete(draft)
        session.flush()
    return report
