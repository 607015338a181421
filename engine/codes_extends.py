"""Problem codes of packs that require other packs and extend their modules.

The import checks (engine/definitions/extensions.py, engine/packs/dependencies.py) share
this table; engine/codes.py merges it into MESSAGES.
"""

from __future__ import annotations

# What the importing pack asks of the installed ones (/requires/..., /extends/...).
CHECKS: dict[str, str] = {
    "requires_missing": "needs pack {pack!r} ({requires}), which is not installed: import it first",
    "requires_version": (
        "needs pack {pack!r} {requires}, but {installed} is installed: upgrade {pack!r} first"
    ),
    "requires_invalid": "{requires!r} is not a version range of pack {pack!r} (write >=1.0)",
    "extends_unknown_module": "extends {module!r}, which no installed pack defines",
    "extends_own_module": "extends {module!r}, which this pack defines itself: add the fields there",
    "extends_not_required": (
        "extends {module!r} of pack {pack!r}, which requires does not name: add {pack!r} to requires"
    ),
    "extension_field_taken": (
        "{module} already has a field {field!r} (from pack {pack!r}): choose another field id"
    ),
    "extension_role_taken": (
        "{module} already grants role {role!r}: an extension may only add field rules (fields) to it"
    ),
}

# What a new version of a required pack would break for the packs that need it.
DEPENDANTS: dict[str, str] = {
    "required_by": "pack {pack!r} requires this pack {requires}; version {version} does not fit",
    "extended_module_removed": (
        "module {module!r} is extended by pack {pack!r}: it cannot be removed while that is installed"
    ),
    "field_taken_by_extension": (
        "pack {pack!r} adds a field {field!r} to {module}: choose another field id"
    ),
}

CODES: dict[str, str] = {**CHECKS, **DEPENDANTS}
