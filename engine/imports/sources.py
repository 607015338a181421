"""Reading an imported file into a header and rows of cells, refusing what it must not read.

The first step of an import: the file's size, kind (CSV text or an XLSX workbook), and for a
workbook what its zip members unpack to are checked before any parsing, so a 200 MB file or
a zip bomb costs nothing. CSV text is decoded as UTF-8 (with or without BOM) or as GBK /
GB18030, the way Chinese Excel saves it — detected by charset-normalizer, or chosen by the
caller. A workbook is read by openpyxl in read-only (streaming) mode. Formulas are never
evaluated: a cell holding one is a problem at its row and column. A workbook's sheet is
streamed as plain values (engine/imports/workbook.py).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from engine.errors import Problem, ValidationFailed
from engine.imports.problems import RowProblem
from engine.imports.workbook import declared_rows, open_book, scan_sheet, sheet_rows


@dataclass(frozen=True)
class Limits:
    """What an import reads at most; anything beyond is refused before the work starts."""

    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 200_000
    max_unpacked_ratio: int = 100  # a workbook's members against its size (XLSX compresses ~10x)
    max_unpacked_bytes: int = 1024 * 1024 * 1024


DEFAULT_LIMITS = Limits()


@dataclass
class Table:
    """The file's header and its non-blank rows, each with its row number in the sheet."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    encoding: str | None = None
    sheet: str | None = None
    problems: list[RowProblem] = field(default_factory=list)
    estimate: int = 0  # rows the file seems to hold, known before they are read (progress)


def refuse(code: str, **params: Any) -> ValidationFailed:
    return ValidationFailed([Problem("", code, params)])


Rows = Iterator[tuple[int, list[Any]]]


def read_table(
    path: Path | str,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Table:
    """The file at `path` as a Table; ValidationFailed when the file is refused whole."""
    table, rows = stream_table(path, encoding=encoding, sheet=sheet, limits=limits)
    table.rows = list(rows)
    return table


def stream_table(
    path: Path | str,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Table, Rows]:
    """The file's header (a Table whose `rows` stay empty) and its non-blank rows, read from
    the file as they are asked for, so that memory does not grow with the file. The file is
    checked whole first; the problems of the rows (formulas, merged cells) are added to the
    table's as the rows are read, and a row beyond the limit refuses the file then."""
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise refuse("import_too_large", value=size, limit=limits.max_bytes)
    if zipfile.is_zipfile(path):
        _check_workbook(path, size, limits)
        table = Table(headers=[], rows=[])
        steps = _xlsx_rows(path, sheet, limits, table)
        next(steps)  # the sheet is chosen and its header read (or the file refused)
    else:
        data = path.read_bytes()
        if data.startswith(b"\xd0\xcf\x11\xe0") or b"\x00" in data[:4096]:
            raise refuse("import_unknown_format")  # an old .xls, an image, any binary
        text, chosen = _decode(data, encoding)
        del data
        table = Table(headers=[], rows=[], encoding=chosen)
        steps = _csv_rows(text, limits, table)
        next(steps)
    _checked(table)
    return table, (row for row in steps if row is not None)


# -- CSV -------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@")


def detect_encoding(data: bytes) -> str:
    """UTF-8 (`utf-8-sig` with a BOM) when the bytes are that, else what charset-normalizer
    finds; GB2312 and GBK are read as GB18030, the superset Chinese Excel may write."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:200_000]))
    if not matches:
        raise refuse("import_bad_encoding", value="UTF-8, GBK")
    # A short Chinese file reads as Korean or Japanese too (cp949 often ranks first): where
    # GB18030 is among the plausible readings, take it, as Chinese Excel writes it.
    if any("gb18030" in m.could_be_from_charset for m in matches):
        return "gb18030"
    return matches[0].encoding


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    chosen = encoding or detect_encoding(data)
    try:
        codecs.lookup(chosen)
        return data.decode(chosen), chosen
    except (LookupError, UnicodeDecodeError):
        raise refuse("import_bad_encoding", value=chosen) from None


def _looks_like_formula(text: str) -> bool:
    """A cell Excel would evaluate: `=…`, `+…`, `-…`, `@…` that is not a plain number."""
    stripped = text.strip()
    if len(stripped) < 2 or not stripped.startswith(FORMULA_START):
        return False  # a lone "-" is how many sheets write "nothing"
    try:
        Decimal("".join(stripped.replace(",", "").split()))  # -1,234.5 and +86 138… are numbers
        return False
    except InvalidOperation:
        return True


def _csv_rows(text: str, limits: Limits, table: Table) -> Iterator[tuple[int, list[Any]] | None]:
    """None once the header is read, then each non-blank row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    first = next(reader, None)
    table.headers = [c.strip() for c in first] if first is not None else []
    table.estimate = max(text.count("\n") - (1 if text.endswith("\n") else 0), 0)
    if table.estimate >= limits.max_rows:  # maybe too many: counted before any is written
        rows = csv.reader(io.StringIO(text, newline=""))
        next(rows, None)
        if sum(1 for cells in rows if not _blank(cells)) > limits.max_rows:
            raise refuse("import_too_many_rows", limit=limits.max_rows)
    yield None
    count = 0
    for number, cells in enumerate(reader, start=2):
        if _blank(cells):
            continue
        count = _counted(count, limits)
        for column, cell in enumerate(cells):
            if column < len(table.headers) and _looks_like_formula(cell):
                table.problems.append(_formula(number, table.headers[column], cell))
        yield number, cells


def _formula(row: int, column: str, value: str) -> RowProblem:
    return RowProblem(row, column, Problem("", "import_formula", {"value": value}))


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _counted(count: int, limits: Limits) -> int:
    if count >= limits.max_rows:
        raise refuse("import_too_many_rows", limit=limits.max_rows)
    return count + 1


def _checked(table: Table) -> Table:
    if not any(table.headers):
        raise refuse("import_no_header")
    seen: set[str] = set()
    for header in table.headers:
        if header and header in seen:
            raise refuse("import_duplicate_header", name=header)
        seen.add(header)
    return table


# -- XLSX ------------------------------------------------------------------------------


def _check_workbook(path: Path, size: int, limits: Limits) -> None:
    """Refuse a zip that is no workbook, or whose members unpack to far more than its size."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise refuse("import_unknown_format") from None
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise refuse("import_unknown_format")
    unpacked = sum(m.file_size for m in members)
    limit = min(limits.max_unpacked_bytes, max(size, 1) * limits.max_unpacked_ratio)
    if unpacked > limit:
        raise refuse("import_zip_bomb", value=unpacked, limit=limit)


def sheet_names(path: Path | str) -> list[str]:
    """The sheets of a workbook (none for a CSV file); read after `read_table` checked it."""
    if not zipfile.is_zipfile(path):
        return []
    with open_book(path) as book:
        return list(book.sheets)


def _xlsx_rows(
    path: Path, sheet: str | None, limits: Limits, table: Table
) -> Iterator[tuple[int, list[Any]] | None]:
    """None once the sheet is chosen and its header read (and its merged ranges noted, from a
    first pass over its XML), then each non-blank row."""
    with open_book(path) as book:
        if sheet is not None and sheet not in book.sheets:
            raise refuse("import_unknown_sheet", value=sheet, values=list(book.sheets))
        title = sheet if sheet is not None else next(iter(book.sheets), None)
        if title is None:
            raise refuse("import_no_header")
        if declared_rows(book, title) - 1 > limits.max_rows:
            raise refuse("import_too_many_rows", limit=limits.max_rows)
        merged, rows = scan_sheet(book, title)  # known before any row is written
        if rows - 1 > limits.max_rows:
            raise refuse("import_too_many_rows", limit=limits.max_rows)
        table.sheet = title
        table.estimate = max(rows - 1, 0)
        source = sheet_rows(book, title)
        with contextlib.closing(source):  # its zip member is closed even when refused
            yield from _sheet_values(source, merged, limits, table)


def _sheet_values(
    rows: Iterator[tuple[int, list[Any], list[tuple[int, str]]]],
    merged: list[tuple[str, int, str]],
    limits: Limits,
    table: Table,
) -> Iterator[tuple[int, list[Any]] | None]:
    """The header read and the merged ranges noted, None, then each non-blank row with its
    formulas noted."""
    first = next(rows, None)
    if first is not None and first[0] == 1:
        table.headers = [str(v).strip() if v is not None else "" for v in first[1]]
    elif first is not None:
        rows = itertools.chain([first], rows)  # no header row: the checks refuse it
    _note_merged(table, merged)
    yield None
    count = 0
    for number, values, formulas in rows:
        if _blank(values):
            continue
        count = _counted(count, limits)
        for index, text in formulas:
            if index < len(table.headers):
                table.problems.append(_formula(number, table.headers[index], text))
        yield number, values


def _note_merged(table: Table, merged: Iterator[tuple[str, int, str]] | list[Any]) -> None:
    from openpyxl.utils import column_index_from_string

    for letters, row, span in merged:
        index = column_index_from_string(letters) - 1
        column = table.headers[index] if index < len(table.headers) else letters
        problem = Problem("", "import_merged_cells", {"value": span})
        table.problems.append(RowProblem(row, column, problem))
