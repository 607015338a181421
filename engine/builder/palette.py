"""The builder's palette: what an admin may add, filled from the registry of field kinds.

Every kind engine/kinds registers is an entry, starting from the schema the kind itself
declares (`FieldKind.widget_options`), so a kind added to the registry shows up here with no
edit. A few entries are a kind with a preset (long text, money, formula). The titles are
the palette's own words in both languages; a kind that has none here is named by its words.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.kinds import REGISTERED, FieldKind

Titles = Mapping[str, str]

TITLES: Mapping[str, Titles] = {
    "text": {"en": "Text", "zh-CN": "文本"},
    "longtext": {"en": "Long text", "zh-CN": "多行文本"},
    "integer": {"en": "Whole number", "zh-CN": "整数"},
    "decimal": {"en": "Number", "zh-CN": "数字"},
    "money": {"en": "Money", "zh-CN": "金额"},
    "formula": {"en": "Formula", "zh-CN": "公式"},
    "date": {"en": "Date", "zh-CN": "日期"},
    "datetime": {"en": "Date and time", "zh-CN": "日期时间"},
    "choice": {"en": "Choice", "zh-CN": "单选"},
    "multichoice": {"en": "Multi-choice", "zh-CN": "多选"},
    "boolean": {"en": "Yes / no", "zh-CN": "是/否"},
    "link": {"en": "Link to a record", "zh-CN": "关联记录"},
    "user": {"en": "User", "zh-CN": "用户"},
    "file": {"en": "Attachment", "zh-CN": "附件"},
    "table": {"en": "Child table", "zh-CN": "子表"},
    "rating": {"en": "Rating", "zh-CN": "评分"},
}

# Presets: (palette key, kind, extra keywords over the kind's starting schema)
PRESETS: tuple[tuple[str, str, Mapping[str, Any]], ...] = (
    ("longtext", "text", {"x-widget": "textarea", "maxLength": 4000}),
    ("money", "decimal", {"x-format": "money", "x-scale": 2}),
    ("formula", "decimal", {"x-formula": "0"}),
)
# The palette's order: the common kinds first, anything else the registry adds after them.
ORDER = (
    "text",
    "longtext",
    "integer",
    "decimal",
    "money",
    "date",
    "datetime",
    "choice",
    "multichoice",
    "boolean",
    "link",
    "user",
    "file",
    "table",
    "formula",
)


@dataclass(frozen=True)
class PaletteEntry:
    """One button of the palette: its key, the kind it makes and the schema it starts from."""

    key: str
    kind: FieldKind
    title: Titles
    schema: Mapping[str, Any]

    def starting_schema(self) -> dict[str, Any]:
        """A fresh copy to put in a pack."""
        return copy.deepcopy(dict(self.schema))

    @property
    def in_child_table(self) -> bool:
        """Whether a child table may hold it (one level deep: no table in a table)."""
        return not self.kind.rows


def _title(key: str, kind: FieldKind) -> Titles:
    return TITLES.get(key) or {"en": (kind.words or kind.name).capitalize()}


def _entries() -> dict[str, PaletteEntry]:
    entries = {
        kind.name: PaletteEntry(kind.name, kind, _title(kind.name, kind), kind.widget_options)
        for kind in REGISTERED
    }
    for key, kind_name, extra in PRESETS:
        kind = entries[kind_name].kind
        schema = {**kind.widget_options, **extra}
        entries[key] = PaletteEntry(key, kind, _title(key, kind), schema)
    ranked = sorted(entries, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER))
    return {key: entries[key] for key in ranked}


PALETTE: Mapping[str, PaletteEntry] = _entries()


def palette(in_table: bool = False) -> list[PaletteEntry]:
    """The entries in order; those a child table may hold when `in_table`."""
    return [e for e in PALETTE.values() if e.in_child_table or not in_table]
