"""Reading a workbook's sheets as streams of plain values, with openpyxl's parts.

openpyxl's read-only workbook parses every sheet once at open to find its size when the
sheet declares none (files written by openpyxl and many exporters do not), and hands each
cell over as an object. Here the workbook's parts that the values need are read — the sheet
list, the shared strings, the date styles — and a sheet's XML is streamed through openpyxl's
own sheet parser (the one its read-only sheets use), each row turned into a list of values
at once, no cell object made or kept. Inline strings are read as plain text.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zipfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Cells = list[Any]


@dataclass(frozen=True)
class Book:
    """What reading a workbook's values needs: each sheet's XML member, the shared strings,
    the date styles, and the open archive."""

    sheets: dict[str, str]  # title → member of the zip
    archive: zipfile.ZipFile
    strings: Any
    epoch: Any
    date_formats: Any
    timedelta_formats: Any


@contextmanager
def open_book(path: Path | str) -> Iterator[Book]:
    """The workbook at `path`, its sheets not yet read (the steps of openpyxl's reader but
    the one that opens every sheet)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(str(path), read_only=True, data_only=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = {
            sheet.name: rel.target
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        }
        wb: Any = reader.wb  # its date styles are kept in attributes of its own
        yield Book(
            sheets,
            reader.archive,
            reader.shared_strings,
            wb.epoch,
            wb._date_formats,
            wb._timedelta_formats,
        )
    finally:
        reader.archive.close()


def sheet_rows(book: Book, title: str) -> Generator[tuple[int, Cells, list[tuple[int, str]]]]:
    """Each row of the sheet: its number, its values, and its formulas (column index, text)."""
    with book.archive.open(book.sheets[title]) as source:
        parser = _sheet_parser()(
            source,
            book.strings,
            epoch=book.epoch,
            date_formats=book.date_formats,
            timedelta_formats=book.timedelta_formats,
        )
        for number, cells in parser.parse():
            values: Cells = [None] * (cells[-1]["column"] if cells else 0)
            formulas = []
            for cell in cells:
                value = cell["value"]
                index = cell["column"] - 1
                values[index] = value.isoformat() if type(value) is dt.time else value
                if cell["data_type"] == "f":
                    formulas.append((index, str(value)))
            yield number, values, formulas


@functools.cache
def _sheet_parser() -> type[Any]:
    """openpyxl's sheet parser, reading inline strings as plain text rather than building
    rich-text objects first."""
    from openpyxl.utils import coordinate_to_tuple
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    inline, text, run = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("is", "t", "r"))

    class SheetParser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            if element.get("t") != "inlineStr" or element.find(FORMULA_TAG) is not None:
                return super().parse_cell(element)
            found = self.place(element)
            child = element.find(inline)
            value = None
            if child is not None:
                plain = child.find(text)
                runs = (r.findtext(text) or "" for r in child.iterfind(run))
                value = (plain.text or "") if plain is not None else "".join(runs)
            return {**found, "value": value, "data_type": "s"}

        def place(self, element: Any) -> dict[str, Any]:
            coordinate = element.get("r")
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            return {"row": row, "column": column, "style_id": int(element.get("s", 0))}

    return SheetParser


DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]*\d*:?[A-Z]+(\d+)"')


def declared_rows(book: Book, title: str) -> int:
    """The last row the sheet's `<dimension>` declares (0 without one), from its XML's head."""
    with book.archive.open(book.sheets[title]) as stream:
        found = DIMENSION.search(stream.read(1 << 14))
    return int(found[1]) if found else 0


MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+)(?::([A-Z]+\d+))?"')
ROW = re.compile(rb"<(?:\w+:)?row[ >]")


def scan_sheet(book: Book, title: str) -> tuple[list[tuple[str, int, str]], int]:
    """The merged ranges of the sheet (column letters, first row, the range) and how many
    rows it holds, read from its XML in chunks before its rows are: a merge's value sits in
    its first cell only, the others read as empty; a sheet that declares no size is
    counted, so a file beyond the row limit is refused before anything is written."""
    found: list[tuple[str, int, str]] = []
    rows = 0
    with book.archive.open(book.sheets[title]) as stream:
        tail = b""
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            window = tail + chunk
            for match in MERGE.finditer(window):
                first = f"{match[1].decode()}{match[2].decode()}"
                span = f"{first}:{match[3].decode()}" if match[3] else first
                found.append((match[1].decode(), int(match[2]), span))
            rows += sum(1 for m in ROW.finditer(window) if m.end() > len(tail))  # once each
            tail = window[-200:]
    return sorted(set(found), key=lambda m: (m[1], m[0])), rows
