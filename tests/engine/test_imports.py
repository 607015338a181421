"""Importing records from CSV and XLSX files into the construction pack: the files a site
office has (Excel's GBK CSV, UTF-8 with a BOM, workbooks with dates and ￥ amounts), and the
files it must not be able to import (formulas, zip bombs, hidden columns)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor
from engine.catalog import load_catalog
from engine.errors import ValidationFailed
from engine.imports import apply_import, preview, write_rejected
from engine.packs import import_pack
from engine.records import create_record
from tests.bundled import PACK_FILE
from tests.engine.people import make_user

TALLY_HEADERS = ["所属项目", "日期", "工人姓名", "工种", "工作内容", "工时", "单价（元/小时）"]
TALLIES = [
    ["PRJ-2026-001", "2026/3/2", "张三", "钢筋工", "梁板钢筋绑扎", "8", "42.50"],
    ["PRJ-2026-001", "2026年3月3日", "李四", "普工", "清理", "7.5", "￥30"],
]


def _pack() -> dict[str, Any]:
    """The bundled pack with a clerk who imports tallies but may not see their notes."""
    pack = json.loads(PACK_FILE.read_text(encoding="utf-8"))
    pack["roles"].append({"id": "clerk", "title": {"en": "Clerk", "zh-CN": "录入员"}})
    tally = next(m for m in pack["modules"] if m["id"] == "labour_tally")
    tally["permissions"]["clerk"] = {
        "create": True, "read": "all", "update": "all", "import": True,
        "fields": {"notes": "hidden"},
    }  # fmt: skip
    project = next(m for m in pack["modules"] if m["id"] == "project")
    project["permissions"]["clerk"] = {"read": "all"}
    return pack


@pytest.fixture
def clerk(session: Session) -> Actor:
    import_pack(session, _pack())
    return make_user(session, "clerk1", "clerk")


def csv_file(path: Path, rows: list[list[str]], encoding: str) -> Path:
    lines = [",".join(TALLY_HEADERS), *(",".join(r) for r in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def tally_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(text("m_labour_tally"))) or 0


@pytest.mark.parametrize(("encoding", "read_as"), [("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")])
def test_a_tally_csv_with_chinese_headers_is_imported(
    session: Session, clerk: Actor, tmp_path: Path, encoding: str, read_as: str
) -> None:
    before = tally_count(session)
    path = csv_file(tmp_path / "tallies.csv", TALLIES, encoding)
    result = apply_import(session, "labour_tally", path, clerk)
    assert [p.message for p in result.problems] == []
    assert result.encoding == read_as and result.created == 2
    assert result.mapping["工时"] == "items.hours" and result.mapping["所属项目"] == "project"
    first, second = result.sample
    assert first.data["trade"] == "rebar" and first.data["date"] == dt.date(2026, 3, 2)
    assert first.data["amount"] == Decimal("340.00")  # the formula ran: 8 h × 42.50
    assert second.data["date"] == dt.date(2026, 3, 3) and second.data["amount"] == Decimal("225.00")
    assert first.number and first.number != second.number
    assert tally_count(session) == before + 2


def test_an_xlsx_with_dates_money_and_choices_by_title(session: Session, tmp_path: Path) -> None:
    import_pack(session, _pack())
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["项目编号", "Project name", "项目状态", "开工日期", "合同金额", "计划竣工日期"])
    sheet.append(["P-NEW-1", "北岸学校", "在建", dt.datetime(2026, 3, 2), "￥1,234,567.50", 46113])
    book.save(tmp_path / "projects.xlsx")
    result = apply_import(session, "project", tmp_path / "projects.xlsx", SYSTEM)
    assert [p.message for p in result.problems] == [] and result.created == 1
    data = result.sample[0].data
    assert data["status"] == "active" and data["start_date"] == dt.date(2026, 3, 2)
    assert data["contract_value"] == Decimal("1234567.50")
    assert data["finish_date"] == dt.date(2026, 4, 1)  # Excel's serial number 46113


def test_an_ambiguous_link_names_its_candidates(
    session: Session, clerk: Actor, tmp_path: Path
) -> None:
    numbers = [
        create_record(
            session, "project", {"code": c, "name": "同名工地", "status": "active"}, SYSTEM
        ).number
        for c in ("DUP-1", "DUP-2")
    ]
    rows = [["同名工地", *TALLIES[0][1:]], ["No such site", *TALLIES[1][1:]]]
    result = preview(session, "labour_tally", csv_file(tmp_path / "t.csv", rows, "utf-8"), clerk)
    found = {(p.row, p.column, p.code) for p in result.problems}
    assert found == {(2, "所属项目", "import_ambiguous_link"), (3, "所属项目", "import_no_link")}
    ambiguous = next(p for p in result.problems if p.row == 2)
    assert all(n in ambiguous.message for n in numbers)


def test_formula_cells_are_refused_never_evaluated(
    session: Session, clerk: Actor, tmp_path: Path
) -> None:
    rows = [[*TALLIES[0][:5], "=2+6", TALLIES[0][6]]]
    result = apply_import(
        session, "labour_tally", csv_file(tmp_path / "f.csv", rows, "utf-8"), clerk
    )
    assert [(p.row, p.column, p.code) for p in result.problems] == [(2, "工时", "import_formula")]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(TALLY_HEADERS)
    sheet.append([*TALLIES[0][:5], "=SUM(4,4)", 42.5])
    book.save(tmp_path / "f.xlsx")
    result = apply_import(session, "labour_tally", tmp_path / "f.xlsx", clerk)
    assert [(p.row, p.column, p.code) for p in result.problems] == [(2, "工时", "import_formula")]
    assert result.created == 0 and not result.written


def test_a_zip_bomb_and_a_binary_file_are_refused_unread(
    session: Session, clerk: Actor, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    with pytest.raises(ValidationFailed) as refused:
        apply_import(session, "labour_tally", bomb, clerk)
    assert [p.code for p in refused.value.problems] == ["import_zip_bomb"]
    blob = tmp_path / "photo.csv"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    with pytest.raises(ValidationFailed) as refused:
        apply_import(session, "labour_tally", blob, clerk)
    assert [p.code for p in refused.value.problems] == ["import_unknown_format"]


def test_all_or_nothing_then_valid_rows_only(
    session: Session, clerk: Actor, tmp_path: Path
) -> None:
    before = tally_count(session)
    rows = [TALLIES[0], [*TALLIES[1][:3], "宇航员", *TALLIES[1][4:]], TALLIES[1]]
    path = csv_file(tmp_path / "mixed.csv", rows, "utf-8")
    result = apply_import(session, "labour_tally", path, clerk)
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (3, "工种", "import_not_a_choice")
    ]
    assert result.created == 0 and tally_count(session) == before
    result = apply_import(session, "labour_tally", path, clerk, mode="valid")
    assert result.created == 2 and tally_count(session) == before + 2
    assert [r.number for r in result.rejected] == [3]
    written = write_rejected(result, tmp_path / "rejected.csv")
    lines = written.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(",error") and "宇航员" in lines[1] and "工种" in lines[1]
    book = load_workbook(write_rejected(result, tmp_path / "rejected.xlsx"), read_only=True)
    rows = list(book.worksheets[0].values)
    assert rows[0][-1] == "error" and rows[1][3] == "宇航员" and "工种" in str(rows[1][-1])


def test_importing_the_same_file_twice_with_a_key_changes_nothing(
    session: Session, tmp_path: Path
) -> None:
    import_pack(session, _pack())
    path = tmp_path / "projects.csv"
    path.write_text("code,name,status\nK-1,一号楼,在建\nK-2,二号楼,筹备中\n", encoding="utf-8")
    first = apply_import(session, "project", path, SYSTEM, key="code")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = apply_import(session, "project", path, SYSTEM, key="code")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    path.write_text("code,name,status\nK-1,一号楼（改）,在建\n", encoding="utf-8")
    changed = apply_import(session, "project", path, SYSTEM, key="code")
    assert (changed.created, changed.updated) == (0, 1)
    assert changed.sample[0].data["name"] == "一号楼（改）"
    catalog = load_catalog(session)
    assert catalog.module("project").id == "project"


def test_a_column_of_a_hidden_field_is_refused(
    session: Session, clerk: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "hidden.csv"
    path.write_text(
        ",".join([*TALLY_HEADERS, "备注"]) + "\n" + ",".join([*TALLIES[0], "x"]) + "\n",
        encoding="utf-8",
    )
    result = apply_import(session, "labour_tally", path, clerk)
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (None, "备注", "import_column_hidden")
    ]
    assert result.created == 0
