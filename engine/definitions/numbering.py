"""The tokens of a numbering pattern, read alike by the import check and the numbering itself.

`{YYYY}` `{YY}` `{MM}` `{DD}` are dates, `{seq}` / `{seq:N}` the counter (N digits at least),
and any other `{name}` or `{link.name}` a value of the new record or of a record it links to.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"\{(YYYY|YY|MM|DD|seq(?::(\d{1,2}))?|[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\}")
DATE_TOKENS = ("YYYY", "YY", "MM", "DD")
SEQ = re.compile(r"seq(?::\d{1,2})?")


def is_sequence(token: str) -> bool:
    return SEQ.fullmatch(token) is not None


def value_tokens(pattern: str) -> list[str]:
    """The field and link-path tokens of a pattern (`code`, `project.code`), in order."""
    tokens = (m.group(1) for m in TOKEN.finditer(pattern))
    return [t for t in tokens if t not in DATE_TOKENS and not is_sequence(t)]


def sequence_width(pattern: str) -> int | None:
    """The digits of the pattern's `{seq:N}` (0 for `{seq}`); None when it has no sequence."""
    for match in TOKEN.finditer(pattern):
        if is_sequence(match.group(1)):
            return int(match.group(2) or 0)
    return None
