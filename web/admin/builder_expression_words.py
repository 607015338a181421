"""Words and small pieces the expression editor shows: types, values, carets, completions.

Kept apart from the views so web/admin/builder_expressions.py stays about requests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from engine.builder.expressions import NameInfo
from web.i18n import text as pack_text
from web.problems_builder_expr import type_word

MAX_COMPLETIONS = 8
_WORD = re.compile(r"[$\w.]*$")


def where_words() -> dict[str, str]:
    """Each place an expression is written, named for the admin."""
    return {
        "formula": _("Formula"),
        "show_if": _("Show if"),
        "required_if": _("Required if"),
        "when": _("Transition guard (when)"),
        "report_where": _("Report filter"),
        "report_group": _("Report grouping"),
        "report_measure": _("Report measure"),
    }


def shown_value(value: Any) -> str:
    """A value as the expression language writes it: 12.50, 'text', true, null, [1, 2]."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(shown_value(v) for v in value[:20]) + "]"
    text = str(value)
    return "'" + (text[:200] + "…" if len(text) > 200 else text) + "'"


def caret_lines(text: str, position: int) -> tuple[str, str]:
    """The line of `text` holding `position`, and a caret under that character."""
    position = max(0, min(position, len(text)))
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line = text[start : end if end >= 0 else len(text)]
    column = position - start
    if len(line) > 120:  # a long line: the part around the caret
        cut = max(0, column - 60)
        line, column = line[cut : cut + 120], column - cut
    return line, " " * column + "^"


def name_label(name: NameInfo) -> str:
    """What a completion says beside the name: its title and kind, or a function's form."""
    if name.group == "function":
        return name.signature
    if name.group in ("system", "user"):
        return type_word(name.type)
    title = pack_text(name.title) if name.title is not None else name.name
    return f"{title} · {type_word(name.type)}"


def completions(names: Iterable[NameInfo], text: str, at: int) -> list[tuple[str, str]]:
    """Names that complete the word ending at `at` (none when no word is being typed)."""
    found = _WORD.search(text[: max(0, min(at, len(text)))])
    word = found.group(0) if found else ""
    if not word or word[-1].isdigit() and word.strip("0123456789.") == "":
        return []
    lowered = word.lower()
    picked = [n for n in names if n.name.lower().startswith(lowered) and n.name != word]
    return [(n.name, name_label(n)) for n in picked[:MAX_COMPLETIONS]]
