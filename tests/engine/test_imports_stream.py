"""A workbook's rows read as a stream of plain values: what a spreadsheet shows, row numbers
as it numbers them, formulas found as the rows are read, a file beyond the row limit refused before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from engine.errors import ValidationFailed
from engine.imports.sources import Limits, read_table, stream_table


def test_a_sheet_written_row_by_row_reads_as_it_shows(tmp_path: Path) -> None:
    book = Workbook(write_only=True)  # no declared size, every text an inline string
    sheet = book.create_sheet("点工")
    sheet.append(["工人姓名", "日期", "开工", "工时", "含餐补"])
    sheet.append(["张三", dt.date(2026, 3, 2), dt.time(7, 30), 6.5, True])
    sheet.append(["李四", dt.date(2026, 3, 3), None, "=1+2", False])
    sheet.append([])
    sheet.append([None, None, None, None, None])
    sheet.append(["王五", "2026/3/4", None, 8, None])
    path = tmp_path / "tallies.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.sheet == "点工" and table.headers == ["工人姓名", "日期", "开工", "工时", "含餐补"]
    assert table.rows == [
        (2, ["张三", dt.datetime(2026, 3, 2), "07:30:00", 6.5, True]),
        (3, ["李四", dt.datetime(2026, 3, 3), None, "=1+2", False]),
        (6, ["王五", "2026/3/4", None, 8]),
    ]
    assert [(p.row, p.column, p.code) for p in table.problems] == [(3, "工时", "import_formula")]


def test_rich_text_reads_as_its_plain_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["备注"])
    sheet.append([CellRichText(["梁板", TextBlock(InlineFont(b=True), "钢筋"), "绑扎"])])
    path = tmp_path / "rich.xlsx"
    book.save(path)
    assert read_table(path).rows == [(2, ["梁板钢筋绑扎"])]


def _numbered(path: Path, count: int, formula_at: int) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("rows")
    sheet.append(["n"])
    for n in range(2, count + 2):
        sheet.append([f"=A{n - 1}" if n == formula_at else n])
    book.save(path)
    return path


def test_a_stream_reads_no_further_than_it_is_asked(tmp_path: Path) -> None:
    path = _numbered(tmp_path / "rows.xlsx", 10, formula_at=9)
    table, rows = stream_table(path)
    assert table.headers == ["n"] and table.rows == []
    assert [next(rows), next(rows)] == [(2, [2]), (3, [3])]
    assert table.problems == []  # row 9 is not read yet
    assert len(list(rows)) == 8
    assert [(p.row, p.code) for p in table.problems] == [(9, "import_formula")]


def test_a_sheet_beyond_the_row_limit_is_refused_before_its_rows_are_read(
    tmp_path: Path,
) -> None:
    path = _numbered(tmp_path / "rows.xlsx", 10, formula_at=0)  # declares no size: counted
    with pytest.raises(ValidationFailed) as refused:
        stream_table(path, limits=Limits(max_rows=3))
    assert [p.code for p in refused.value.problems] == ["import_too_many_rows"]
    table, rows = stream_table(path, limits=Limits(max_rows=10))
    assert table.estimate == 10 and len(list(rows)) == 10


def test_a_csv_beyond_the_row_limit_is_refused_before_its_rows_are_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("n\n" + "".join(f"{n}\n\n" for n in range(4)), encoding="utf-8")
    table, rows = stream_table(path, limits=Limits(max_rows=4))  # blank lines are no rows
    assert len(list(rows)) == 4
    path.write_text("n\n" + "".join(f"{n}\n" for n in range(5)), encoding="utf-8")
    with pytest.raises(ValidationFailed) as refused:
        stream_table(path, limits=Limits(max_rows=4))
    assert [p.code for p in refused.value.problems] == ["import_too_many_rows"]
