"""A user's grants on the admin user page: the granted records and the pickers to add one.

A grant lets a user holding a scoped role see the rows linked to one record. The modules
offered are those that roles' scope fields link to (engine/grants.scope_links); each gets
the same record picker as the forms (records/_fields.html `picker`, searched through the
`pickers.options` route of the scope field), so there is one picker in the app, not two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from engine.actor import Actor
from engine.catalog import load_catalog
from engine.errors import NotFound, Problem, ValidationFailed
from engine.grants import ScopeLink, scope_links
from engine.models import Grant
from engine.records import get_record
from web.i18n import text
from web.pages.formatting import record_title
from web.pages.pickers import link_options


@dataclass(frozen=True)
class GrantRow:
    """One granted record: its module, its title and where it is (None: gone)."""

    module: str
    module_title: str
    record_id: str
    title: str
    url: str | None


@dataclass(frozen=True)
class PickerView:
    """What the form picker macro reads of a field view."""

    name: str
    dom_id: str
    label: str
    options: list[tuple[str, str]]
    error: str | None = None
    required: bool = True


@dataclass(frozen=True)
class GrantForm:
    """The "add a grant" form of one scoped module: its picker on the scope link field."""

    target: str
    title: str
    source: Any  # the compiled module whose link field the picker searches
    view: PickerView


def grant_rows(session: Session, grants: list[Grant], who: Actor) -> list[GrantRow]:
    """The user's grants with record titles, as the administrator `who` sees them."""
    catalog = load_catalog(session)
    rows = []
    for grant in grants:
        module = catalog.modules.get(grant.module)
        if module is None:
            rows.append(
                GrantRow(grant.module, grant.module, grant.record_id, grant.record_id, None)
            )
            continue
        try:
            record = get_record(session, module, grant.record_id, who)
        except NotFound:
            rows.append(
                GrantRow(module.id, text(module.title), grant.record_id, grant.record_id, None)
            )
            continue
        url = url_for("record.show", module_id=module.id, record_id=record.id)
        rows.append(
            GrantRow(module.id, text(module.title), record.id, record_title(module, record), url)
        )
    return rows


def _links(session: Session) -> dict[str, ScopeLink]:
    return scope_links(list(load_catalog(session).modules.values()))


def grant_forms(session: Session, who: Actor, errors: Mapping[str, str]) -> list[GrantForm]:
    """One picker form per module that some role is scoped by."""
    catalog = load_catalog(session)
    forms = []
    for target, link in _links(session).items():
        module = catalog.modules.get(target)
        title = text(module.title) if module is not None else target
        view = PickerView(
            name=link.field.name,
            dom_id=f"grant-{target}",
            label=title,
            options=link_options(session, link.field, who),
            error=errors.get(target),
        )
        forms.append(GrantForm(target, title, link.module, view))
    return forms


def read_grant(session: Session, form: MultiDict[str, str], who: Actor) -> tuple[str, str]:
    """The (module, record id) a grant form asks for; ValidationFailed when the module is
    not one a role is scoped by or the record does not exist."""
    target = (form.get("module") or "").strip()
    link = _links(session).get(target)
    if link is None:
        raise ValidationFailed([Problem("/grant/module", "scope_module", {"module": target})])
    record_id = (form.get(f"d.{link.field.name}") or "").strip()
    if not record_id:
        raise ValidationFailed([Problem("/grant/record_id", "required", {"field": "record_id"})])
    try:
        get_record(session, target, record_id, who)
    except NotFound:
        problem = Problem(
            "/grant/record_id", "no_linked_record", {"module": target, "value": record_id[:64]}
        )
        raise ValidationFailed([problem]) from None
    return target, record_id
