"""The rejected rows of an import as a file to fix and import again: the sheet's own
columns, then one column saying what was wrong with each record (on its first row; a record's
further rows of the same sheet follow it)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from engine.imports.values import cell_text

if TYPE_CHECKING:
    from engine.imports.importing import ImportResult

ERROR_COLUMN = "error"


def _reasons(result: ImportResult) -> list[list[str]]:
    lines = []
    for row in result.rejected:
        reasons = "; ".join(
            f"{p.column}: {p.message}" if p.column else p.message for p in row.problems
        )
        for index, line in enumerate([row.cells, *(c for _, c in row.lines)]):
            cells = [cell_text(c) for c in line]
            cells += [""] * (len(result.headers) - len(cells))
            lines.append([*cells[: len(result.headers)], reasons if index == 0 else ""])
    return lines


def write_rejected(result: ImportResult, path: Path | str) -> Path:
    """Write the rejected rows to `path`: XLSX when it ends in .xlsx, else UTF-8 CSV with a
    BOM (so Excel opens the Chinese text right). Formula-like text is written as text."""
    path = Path(path)
    header = [*result.headers, ERROR_COLUMN]
    lines = _reasons(result)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("rejected")
        sheet.append(header)
        for line in lines:
            sheet.append([f"'{c}" if c.startswith(("=", "+", "-", "@")) else c for c in line])
        workbook.save(path)
        return path
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(lines)
    return path
