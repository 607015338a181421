"""The rejected rows of an import as a file to fix and import again.

The main sheet's own columns, then one column saying what was wrong with each record (on its
first row, every reason of the record; a record's further rows of the same sheet follow it).
A record whose child rows came from a sheet of their own brings those rows along, on a sheet
of the same name with the same headers and an error column of their own (the reasons of that
row), so the file imports back the way the original did. A CSV holds one sheet only: the
rejected rows of a workbook with child sheets are written as XLSX beside the path asked for.
A child row that belongs to no record comes on its sheet too, its reason in the error column.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.imports.problems import RowProblem
from engine.imports.rows import Row
from engine.imports.values import cell_text

if TYPE_CHECKING:
    from engine.imports.importing import ImportResult

ERROR_COLUMN = "error"
FORMULA_START = ("=", "+", "-", "@")
Lines = list[list[str]]


def _reason(problem: RowProblem, on_sheet: bool) -> str:
    where = f"{problem.sheet} {problem.row}, " if on_sheet and problem.sheet else ""
    return f"{where}{problem.column}: {problem.message}" if problem.column else problem.message


def _cells(line: list[Any], width: int) -> list[str]:
    cells = [cell_text(c) for c in line]
    return [*cells, *[""] * (width - len(cells))][:width]


def _main_lines(result: ImportResult) -> Lines:
    lines = []
    for row in result.rejected:
        reasons = "; ".join(_reason(p, True) for p in row.problems)
        for index, line in enumerate([row.cells, *(c for _, c in row.lines)]):
            lines.append([*_cells(line, len(result.headers)), reasons if index == 0 else ""])
    return lines


def _sheet_lines(rejected: list[Row]) -> dict[str, tuple[list[str], Lines]]:
    """Sheet → its headers (and the error column) and the rejected records' rows on it."""
    sheets: dict[str, tuple[list[str], Lines]] = {}
    for row in rejected:
        for title, (headers, lines) in row.sheet_lines.items():
            _, kept = sheets.setdefault(title, ([*headers, ERROR_COLUMN], []))
            for number, cells in lines:
                mine = [p for p in row.problems if p.sheet == title and p.row == number]
                reasons = "; ".join(_reason(p, False) for p in mine)
                kept.append([*_cells(cells, len(headers)), reasons])
    return sheets


def _safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell


def _write_xlsx(path: Path, title: str, sheets: dict[str, tuple[list[str], Lines]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, (header, lines) in sheets.items():
        sheet = workbook.create_sheet(name or title)
        sheet.append(header)
        for line in lines:
            sheet.append([_safe(c) for c in line])
    workbook.save(path)


def write_rejected(result: ImportResult, path: Path | str) -> Path:
    """Write the rejected rows to `path`: XLSX when it ends in .xlsx (or when child sheets
    come along: then at `path` with the .xlsx suffix), else UTF-8 CSV with a BOM (so Excel
    opens the Chinese text right). Formula-like text is written as text. Returns the path
    written."""
    path = Path(path)
    header = [*result.headers, ERROR_COLUMN]
    lines = _main_lines(result)
    children = _sheet_lines([*result.rejected, *result.orphans])
    if children and path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    if path.suffix.lower() == ".xlsx":
        main = result.sheet or "rejected"
        _write_xlsx(path, main, {main: (header, lines), **children})
        return path
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(lines)
    return path
