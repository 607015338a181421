"""Messages, in the reader's language, of the codes in engine/codes_people.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CODES: dict[str, Callable[[Params], str]] = {
    "quorum_over_groups": lambda p: _(
        "The quorum %(value)s asks more groups than the %(groups)s the approval lists: use a "
        "number up to %(groups)s, or “all”.",
        value=p.get("value"),
        groups=p.get("groups"),
    ),
}
