"""How the record page names the groups of an approval that needs several at once.

A group is a role's holders (the role's title in the reader's language), the users a field
names (the field's title), or the approvers added to this record (加签).
"""

from __future__ import annotations

from flask_babel import gettext as _

from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.workflow.approvals import GroupProgress
from web.i18n import text
from web.pages.context import db


def group_title(module: Module, group: GroupProgress) -> str:
    """`Finance`, `Consulted`, or `Added approvers`."""
    if group.field:
        field = module.field(group.field)
        return (text(field.title) if field is not None and field.title else "") or group.field
    if group.role:
        with db() as session:
            packs = load_catalog(session).packs
        own = packs.get(module.pack_id)
        titles = [
            p.roles[group.role] for p in (own, *packs.values()) if p and group.role in p.roles
        ]
        return (text(titles[0]) if titles else "") or group.role
    return _("Added approvers")
