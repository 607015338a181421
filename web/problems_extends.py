"""Messages, in the reader's language, of the codes in engine/codes_extends.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CODES: dict[str, Callable[[Params], str]] = {
    "requires_missing": lambda p: _(
        "This pack needs pack %(pack)s (%(requires)s), which is not installed: import it first.",
        pack=p.get("pack"),
        requires=p.get("requires"),
    ),
    "requires_version": lambda p: _(
        "This pack needs pack %(pack)s %(requires)s, but %(installed)s is installed: "
        "upgrade %(pack)s first.",
        pack=p.get("pack"),
        requires=p.get("requires"),
        installed=p.get("installed"),
    ),
    "requires_invalid": lambda p: _(
        "%(requires)s is not a version range of pack %(pack)s (write >=1.0).",
        pack=p.get("pack"),
        requires=p.get("requires"),
    ),
    "extends_unknown_module": lambda p: _(
        "extends names %(module)s, which no installed pack defines.", module=p.get("module")
    ),
    "extends_own_module": lambda p: _(
        "extends names %(module)s, which this pack defines itself: add the fields there.",
        module=p.get("module"),
    ),
    "extends_not_required": lambda p: _(
        "extends names %(module)s of pack %(pack)s, which requires does not name: "
        "add %(pack)s to requires.",
        module=p.get("module"),
        pack=p.get("pack"),
    ),
    "extension_field_taken": lambda p: _(
        "%(module)s already has a field %(field)s (from pack %(pack)s): choose another field id.",
        module=p.get("module"),
        field=p.get("field"),
        pack=p.get("pack"),
    ),
    "extension_role_taken": lambda p: _(
        "%(module)s already grants role %(role)s: an extension may only add field rules to it.",
        module=p.get("module"),
        role=p.get("role"),
    ),
    "required_by": lambda p: _(
        "Pack %(pack)s requires this pack %(requires)s; version %(version)s does not fit.",
        pack=p.get("pack"),
        requires=p.get("requires"),
        version=p.get("version"),
    ),
    "extended_module_removed": lambda p: _(
        "Module %(module)s is extended by pack %(pack)s: it cannot be removed while that pack "
        "is installed.",
        module=p.get("module"),
        pack=p.get("pack"),
    ),
    "field_taken_by_extension": lambda p: _(
        "Pack %(pack)s adds a field %(field)s to %(module)s: choose another field id.",
        pack=p.get("pack"),
        field=p.get("field"),
        module=p.get("module"),
    ),
}
