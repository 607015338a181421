"""A cell's text as the value a person would have typed into the form for its field.

One converter per field kind (a registry, like the kinds themselves): choices by id or title
in either language, yes/no in the usual spellings, numbers with thousands separators and
￥/¥/CNY, dates in ISO and the common Chinese forms, Excel date cells and serial numbers.
What comes out is handed to the engine's create and update path unchanged, which coerces
and checks it exactly as it does a typed record. Links and users are looked up once per
distinct value of a column (engine/imports/lookups.py), not once per row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from engine.definitions.model import Field
from engine.imports.mapping import normal


class CellRefused(Exception):
    """A cell that does not convert: its problem code and params."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without `.0`, dates in ISO form, blanks stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _text(f: Field, value: Any) -> Any:
    return unescaped(cell_text(value))


FORMULA_SIGNS = frozenset("=+-@")


def unescaped(text: str) -> str:
    """Text as typed, without the apostrophe an export puts before formula-like text (`'=1+2`
    is read as `=1+2`, as a spreadsheet shows it); any other apostrophe stays."""
    if not text.startswith("'"):
        return text
    rest = text[1:]
    if rest.startswith(("\t", "\r", "\n")):
        return rest
    first = rest.lstrip()[:1]
    return rest if first and unicodedata.normalize("NFKC", first)[:1] in FORMULA_SIGNS else text


MONEY_MARKS = re.compile(r"[￥¥,，\s]|CNY|RMB|元", re.IGNORECASE)


def _number(f: Field, value: Any) -> Any:
    if isinstance(value, bool):
        raise CellRefused("not_a_number")
    if isinstance(value, (int, Decimal)):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return MONEY_MARKS.sub("", cell_text(value))


YES = {"是", "yes", "y", "true", "t", "1", "✓", "✔", "对", "√"}
NO = {"否", "no", "n", "false", "f", "0", "✗", "✘", "×", "错"}


def _flag(f: Field, value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = normal(cell_text(value))
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellRefused("import_not_a_boolean", value=cell_text(value))


def _choice_names(f: Field) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for option in f.enum or ():
        title = f.enum_titles.get(str(option))
        titles = title.values() if isinstance(title, Mapping) else [title] if title else []
        for name in (option, *titles):
            found.setdefault(normal(name), option)
    return found


def _choice(f: Field, value: Any, names: Mapping[str, Any] | None = None) -> Any:
    text = cell_text(value)
    if text == "":
        return None
    found = (names if names is not None else _choice_names(f)).get(normal(text))
    if found is None:
        choices = ", ".join(_choice_label(f, o) for o in f.enum or ())
        raise CellRefused("import_not_a_choice", value=text, choices=choices)
    return found


def _choice_label(f: Field, option: Any) -> str:
    title = f.enum_titles.get(str(option))
    if isinstance(title, Mapping) and title.get("zh-CN"):
        return f"{option} ({title['zh-CN']})"
    return str(option)


SEPARATORS = re.compile(r"[,，;；、\n]")


def _choices(f: Field, value: Any, names: Mapping[str, Any] | None = None) -> Any:
    names = names if names is not None else _choice_names(f)
    return [_choice(f, part, names) for part in SEPARATORS.split(cell_text(value)) if part.strip()]


DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _day(f: Field, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        return (EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()  # an Excel serial
    text = cell_text(value)
    if text == "":
        return None
    match = DATE.match(text)
    if match is None:
        raise CellRefused("import_not_a_date", value=text)
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        raise CellRefused("import_not_a_date", value=text) from None


def _moment(f: Field, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = cell_text(value)
    head, _, rest = text.partition(" ")
    if rest and DATE.match(head):
        return f"{_day(f, head)}T{rest.strip()}"
    return text or None


Converter = Callable[[Field, Any], Any]

CONVERTERS: dict[str, Converter] = {
    "integer": _number,
    "decimal": _number,
    "rating": _number,
    "boolean": _flag,
    "choice": _choice,
    "multichoice": _choices,
    "date": _day,
    "datetime": _moment,
}


def convert(f: Field, value: Any) -> Any:
    """The cell's value for `f` as the form would send it (CellRefused when it cannot be)."""
    return converter(f)(value)


def converter(f: Field) -> Callable[[Any], Any]:
    """`convert` for one column, built once: what it needs of the field (a choice's names in
    both languages) is worked out here, not again for every cell."""
    kind = CONVERTERS.get(f.kind, _text)
    if kind in (_choice, _choices):
        names = _choice_names(f)
        pick = _choice if kind is _choice else _choices
        return lambda value: None if _blank(value) else pick(f, value, names)
    return lambda value: None if _blank(value) else kind(f, value)


def _blank(value: Any) -> bool:
    return value is None or (type(value) is str and not value.strip())
