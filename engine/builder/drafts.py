"""Builder drafts: each admin's unpublished pack definitions, kept until published or discarded.

A draft holds the whole pack the builder edits — a new pack, or a copy of an installed
pack's definition with the version it started from — and is saved after every edit, valid
or not: a validation error or a closed tab loses nothing. Drafts belong to the admin who
started them; another admin's draft is as good as absent (NotFound).
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from engine.builder import edits
from engine.errors import NotFound, Problem, ValidationFailed
from engine.models import BuilderDraft, InstalledModule, InstalledPack


def list_drafts(session: Session, owner: str) -> list[BuilderDraft]:
    """The owner's drafts, the latest edited first."""
    query = select(BuilderDraft).where(BuilderDraft.owner == owner)
    return list(session.scalars(query.order_by(BuilderDraft.updated_at.desc())))


def get_draft(session: Session, owner: str, draft_id: str) -> BuilderDraft:
    draft = session.get(BuilderDraft, draft_id)
    if draft is None or draft.owner != owner:
        raise NotFound(code="unknown_id")
    return draft


def save_draft(
    session: Session, draft: BuilderDraft, definition: Mapping[str, Any], module_id: str = ""
) -> BuilderDraft:
    """Keep the edited definition. Marked as changed outright: the JSON column compares
    dicts with ==, which does not see a new order of the same keys (a reorder)."""
    draft.definition = copy.deepcopy(dict(definition))
    flag_modified(draft, "definition")
    if module_id:
        draft.module_id = module_id
    draft.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    return draft


def discard_draft(session: Session, owner: str, draft_id: str) -> None:
    session.delete(get_draft(session, owner, draft_id))
    session.flush()


def _create(
    session: Session, owner: str, definition: dict[str, Any], module_id: str, base: str | None
) -> BuilderDraft:
    now = dt.datetime.now(dt.UTC)
    draft = BuilderDraft(
        id=uuid.uuid4().hex,
        owner=owner,
        pack_id=definition["id"],
        module_id=module_id,
        base_version=base,
        definition=definition,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def installed_pack(session: Session, pack_id: str) -> InstalledPack:
    pack = session.get(InstalledPack, pack_id)
    if pack is None:
        raise ValidationFailed([Problem("/id", "builder_unknown_pack", {"value": pack_id})])
    return pack


def template_module(session: Session, module_id: str) -> dict[str, Any]:
    """An installed module's definition, to start a new module from a copy of it."""
    owned = session.get(InstalledModule, module_id)
    pack = session.get(InstalledPack, owned.pack_id) if owned is not None else None
    for module in pack.definition.get("modules", ()) if pack is not None else ():
        if module.get("id") == module_id:
            return copy.deepcopy(dict(module))
    raise ValidationFailed([Problem("", "builder_unknown_template", {"value": module_id})])


def start_module(
    session: Session,
    owner: str,
    *,
    module_id: str,
    title: Mapping[str, str],
    pack_id: str,
    pack_title: Mapping[str, str] | None = None,
    numbering: str = "",
    title_field: str = "",
    template: str = "",
) -> BuilderDraft:
    """A draft with a new module: in a new pack (`pack_title` given) or in an installed one."""
    taken = set(session.scalars(select(InstalledModule.id)))
    base: str | None = None
    if pack_title is not None:
        if session.get(InstalledPack, pack_id) is not None:
            raise ValidationFailed([Problem("/id", "builder_pack_taken", {"value": pack_id})])
        pack = edits.new_pack(pack_id, pack_title.get("en", ""), pack_title.get("zh-CN", ""))
    else:
        installed = installed_pack(session, pack_id)
        pack, base = copy.deepcopy(installed.definition), installed.version
    copied = template_module(session, template) if template else None
    definition = edits.start_module(
        pack,
        module_id,
        title,
        numbering=numbering,
        title_field=title_field,
        template=copied,
        taken_modules=taken,
    )
    return _create(session, owner, definition, module_id, base)


def edit_installed(session: Session, owner: str, pack_id: str, module_id: str = "") -> BuilderDraft:
    """A draft of an installed pack as it is now, opened on one of its modules."""
    installed = installed_pack(session, pack_id)
    definition = copy.deepcopy(installed.definition)
    modules = [m.get("id") for m in definition.get("modules", ())]
    opened = module_id if module_id in modules else (modules[0] if modules else "")
    return _create(session, owner, definition, opened, installed.version)
