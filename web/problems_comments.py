"""Messages, in the reader's language, of the codes in engine/codes_comments.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CODES: dict[str, Callable[[Params], str]] = {
    "comment_empty": lambda p: _("Write some text to comment."),
    "comment_too_long": lambda p: _(
        "A comment has at most %(limit)s characters.", limit=p.get("limit")
    ),
    "mention_unknown": lambda p: _("@%(name)s is not an active user.", name=p.get("name")),
    "mention_cannot_read": lambda p: _("%(name)s cannot read this record.", name=p.get("name")),
    "not_comment_author": lambda p: _("Only the author of a comment may edit it."),
    "no_comment": lambda p: _("There is no comment %(id)s on this record.", id=p.get("id")),
    "no_comment_file": lambda p: _("Comment %(id)s has no such file.", id=p.get("id")),
    "too_many_files": lambda p: _("A comment takes at most %(limit)s files.", limit=p.get("limit")),
}
