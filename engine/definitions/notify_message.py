"""The message a transition's `notify` carries (抄送): its placeholders, read alike by the
import check and by the event that fills them in.

`{field}` is a value of the record, `{$number}`, `{$state}` and `{$owner}` its number, state
and owner. Filling is one pass of plain substitution: a value is text as it is, so a value
holding `{other}`, HTML or a template's braces stays literal, and nothing is ever evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PLACEHOLDER = re.compile(r"\{([^{}\s]{1,64})\}")
SYSTEM_NAMES = ("$number", "$state", "$owner")


def placeholders(text: str) -> list[str]:
    """The names in `text`'s placeholders, in order (`{amount}` → `amount`)."""
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]


def fill(text: str, value_of: Callable[[str], str | None]) -> str:
    """`text` with each placeholder replaced by `value_of(name)` (left as written when None)."""

    def one(match: re.Match[str]) -> str:
        value = value_of(match.group(1))
        return match.group(0) if value is None else value

    return PLACEHOLDER.sub(one, text)
