"""Messages, in the reader's language, of the module builder's codes (engine/codes_builder.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

EDITS: dict[str, Callable[[Params], str]] = {
    "builder_id_invalid": lambda p: _(
        "%(value)s is not a valid id: use lower-case letters, digits and _, starting with a "
        "letter, at most %(limit)s characters.",
        value=p.get("value"),
        limit=p.get("limit"),
    ),
    "builder_pack_id_invalid": lambda p: _(
        "%(value)s is not a valid pack id: use 2 to 63 lower-case letters, digits, _ and -, "
        "starting with a letter.",
        value=p.get("value"),
    ),
    "builder_pack_taken": lambda p: _(
        "A pack %(value)s is installed already: add the module to it instead.",
        value=p.get("value"),
    ),
    "builder_module_taken": lambda p: _(
        "There is a module %(value)s already: choose another id.", value=p.get("value")
    ),
    "builder_field_taken": lambda p: _(
        "%(value)s is already a field here: choose another id.", value=p.get("value")
    ),
    "builder_unknown_field": lambda p: _("There is no field %(value)s here.", value=p.get("value")),
    "builder_unknown_module": lambda p: _(
        "The draft has no module %(value)s.", value=p.get("value")
    ),
    "builder_unknown_kind": lambda p: _("There is no field kind %(value)s.", value=p.get("value")),
    "builder_unknown_pack": lambda p: _("No pack %(value)s is installed.", value=p.get("value")),
    "builder_unknown_template": lambda p: _(
        "There is no installed module %(value)s to copy.", value=p.get("value")
    ),
    "builder_not_a_table": lambda p: _("%(value)s is not a child table.", value=p.get("value")),
    "builder_nested_table": lambda p: _("A child table cannot hold another child table."),
    "builder_title_missing": lambda p: _("Give a title in at least one language."),
    "builder_text_too_long": lambda p: _("At most %(limit)s characters.", limit=p.get("limit")),
    "builder_not_a_number": lambda p: _("%(value)s is not a number.", value=p.get("value")),
    "builder_not_a_whole_number": lambda p: _(
        "%(value)s is not a whole number.", value=p.get("value")
    ),
    "builder_number_too_large": lambda p: _(
        "%(value)s is too large: at most %(limit)s.", value=p.get("value"), limit=p.get("limit")
    ),
    "builder_bounds_reversed": lambda p: _(
        "The minimum %(low)s is above the maximum %(high)s.", low=p.get("low"), high=p.get("high")
    ),
    "builder_pattern_invalid": lambda p: _(
        "%(value)s is not a valid pattern: %(detail)s", value=p.get("value"), detail=p.get("detail")
    ),
    "builder_choice_line": lambda p: _(
        "Line %(line)s: write a choice as value | English | 中文, the value in lower-case "
        "letters, digits and _.",
        line=p.get("line"),
    ),
    "builder_choice_twice": lambda p: _(
        "The choice %(value)s is given twice.", value=p.get("value")
    ),
    "builder_file_type": lambda p: _(
        "%(value)s is not a file type: write .pdf, image/* or image/png.", value=p.get("value")
    ),
    "builder_order_mismatch": lambda p: _("The new order must name every field once."),
    "builder_draft_behind": lambda p: _(
        "Pack %(pack)s is at version %(installed)s now, and this draft started from %(version)s: "
        "someone published in between. Start a new draft from the installed version.",
        pack=p.get("pack"),
        installed=p.get("installed"),
        version=p.get("version"),
    ),
    "builder_draft_changed": lambda p: _(
        "The draft changed after your review: review it again before publishing."
    ),
    "builder_draft_gone": lambda p: _(
        "Pack %(pack)s is no longer installed; this draft cannot be published.",
        pack=p.get("pack"),
    ),
}
