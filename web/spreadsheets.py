"""CSV and XLSX files of rows, written so that no cell can run as a formula.

Every file the app hands out for a spreadsheet (list exports, report downloads through the
API) is written here, and every cell passes `safe_cell`: text that a spreadsheet would take
for a formula gets a leading apostrophe, so it shows as written and never runs. A formula
is recognised the way spreadsheets recognise one, not only by its first character: after
leading blanks and line breaks (Excel and LibreOffice skip them), and in its full-width
form (`＝`, `＋`, `－`, `＠`, which Chinese input methods type and spreadsheets accept).
Tab, carriage return and line feed at the start are refused as well, as OWASP advises.
Numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_SIGNS = frozenset("=+-@")
CONTROL_STARTS = ("\t", "\r", "\n")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\']")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (or a line break hides one)."""
    if text.startswith(CONTROL_STARTS):
        return True
    stripped = text.lstrip()
    return bool(stripped) and unicodedata.normalize("NFKC", stripped[0])[:1] in FORMULA_SIGNS


def safe_text(text: str) -> str:
    """`text` as a cell that shows as written: an apostrophe before anything formula-like."""
    return "'" + text if looks_like_formula(text) else text


def safe_cell(value: Any) -> Any:
    """A cell value: None is empty, numbers and dates keep their type, the rest is safe text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | dt.date):
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            return value  # a number or a date: the spreadsheet's own type
        return value.isoformat()
    return safe_text(str(value))


def csv_bytes(headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel reads it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headings])
    for row in rows:
        cells = (safe_cell(v) for v in row)
        writer.writerow([format(v, "f") if isinstance(v, Decimal) else v for v in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_title(title: str, fallback: str = "records") -> str:
    """A worksheet name Excel accepts: no `[]:*?/\\'`, at most 31 characters."""
    return SHEET_TITLE_BAD.sub("", title).strip()[:31] or fallback


def _xlsx_cell(sheet: Any, value: Any, number_format: str | None = None) -> Any:
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, whatever it starts with: openpyxl never makes a formula
    elif number_format and isinstance(cell.value, int | float | Decimal | dt.date):
        cell.number_format = number_format
    return cell


Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]  # title, headings, rows


def xlsx_bytes(
    title: str,
    headings: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: Sequence[str | None] = (),
    more: Sequence[Sheet] = (),
) -> bytes:
    """One worksheet (and the `more` after it): a heading row that stays in view (frozen),
    then the rows; `formats` gives a column's number format (`0.00` for a money column,
    `yyyy-mm-dd` for dates); a date cell without one shows as `yyyy-mm-dd`."""
    book = Workbook(write_only=True)
    for index, (name, heads, lines) in enumerate([(title, headings, rows), *more]):
        sheet = book.create_sheet(title=sheet_title(name))
        sheet.freeze_panes = "A2"
        sheet.append([_xlsx_cell(sheet, h) for h in heads])
        kept = formats if index == 0 else ()
        for row in lines:
            sheet.append(
                [
                    _xlsx_cell(sheet, v, (kept[i] if i < len(kept) else None) or _date_format(v))
                    for i, v in enumerate(row)
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _date_format(value: Any) -> str | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return "yyyy-mm-dd"
    return None
