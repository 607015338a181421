"""The rejected rows of a workbook whose work items sit on a sheet of their own: the file
holds the rejected tallies and their items, each with its reason, and imports once fixed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.imports import apply_import, write_rejected
from engine.packs import import_pack
from tests.bundled import PACK_FILE

MAIN = ["单号", "所属项目", "日期", "工人姓名", "工种"]
ITEMS = ["单号", "工作内容", "工时", "单价（元/小时）"]
TALLIES = [
    ["T-1", "PRJ-2026-001", "2026-03-02", "张三", "钢筋工"],
    ["T-2", "PRJ-2026-001", "2026-03-03", "李四", "普工"],
    ["T-3", "PRJ-2026-001", "2026-03-04", "王五", "木工（模板）"],
]
WORK = [
    ["T-1", "梁板钢筋绑扎", 6, 42.5],
    ["T-2", "清理", 4, 30],
    ["T-2", "搬运", 30, 30],  # 30 hours: more than a day has
    ["T-3", "支模", 6, 45],
    ["T-3", "拆模", 2, 45],
]


@pytest.fixture
def pack(session: Session) -> None:
    import_pack(session, json.loads(PACK_FILE.read_text(encoding="utf-8")))


def _workbook(path: Path, tallies: list[list[Any]], work: list[list[Any]]) -> Path:
    book = Workbook()
    main = book.active
    assert main is not None
    main.title = "点工"
    for line in [MAIN, *tallies]:
        main.append(line)
    items = book.create_sheet("工作内容")
    for line in [ITEMS, *work]:
        items.append(line)
    book.save(path)
    return path


def _sheet(path: Path, title: str) -> list[list[Any]]:
    book = load_workbook(path, read_only=True)
    return [list(row) for row in book[title].iter_rows(values_only=True)]


def test_the_rejected_file_carries_the_items_and_imports_once_fixed(
    session: Session, pack: None, tmp_path: Path
) -> None:
    path = _workbook(tmp_path / "tallies.xlsx", TALLIES, WORK)
    result = apply_import(session, "labour_tally", path, SYSTEM, mode="valid")
    assert [(p.sheet, p.row, p.column, p.code) for p in result.problems] == [
        (None, 3, None, "required"),  # 34 hours want an overtime reason
        ("工作内容", 4, "工时", "maximum"),
    ]
    assert result.created == 2 and len(result.rejected) == 1
    rejected = write_rejected(result, tmp_path / "rejected.csv")
    assert rejected.suffix == ".xlsx"  # the items need a sheet of their own
    assert load_workbook(rejected, read_only=True).sheetnames == ["点工", "工作内容"]
    main = _sheet(rejected, "点工")
    assert main[0] == [*MAIN, "error"]
    assert main[1][:5] == TALLIES[1] and "工作内容 4, 工时" in main[1][5]
    items = _sheet(rejected, "工作内容")
    assert items[0] == [*ITEMS, "error"]
    assert [r[:3] for r in items[1:]] == [["T-2", "清理", "4"], ["T-2", "搬运", "30"]]
    assert items[1][4] in (None, "") and "工时" in items[2][4]
    fixed = load_workbook(rejected)
    fixed["工作内容"]["C3"] = 3
    fixed.save(rejected)
    again = apply_import(session, "labour_tally", rejected, SYSTEM, mode="valid")
    assert again.problems == [] and again.created == 1
    assert [(i["content"], str(i["hours"])) for i in again.sample[0].data["items"]] == [
        ("清理", "4.0"),
        ("搬运", "3.0"),
    ]


def test_a_tally_rejected_for_its_own_column_brings_all_its_items(
    session: Session, pack: None, tmp_path: Path
) -> None:
    tallies = [TALLIES[0], [*TALLIES[2][:4], "瓦匠"]]  # no such trade
    path = _workbook(tmp_path / "tallies.xlsx", tallies, [WORK[0], *WORK[3:]])
    result = apply_import(session, "labour_tally", path, SYSTEM, mode="valid")
    assert result.created == 1
    rejected = write_rejected(result, tmp_path / "rejected.xlsx")
    assert "工种" in _sheet(rejected, "点工")[1][5]
    items = _sheet(rejected, "工作内容")
    assert [r[:2] for r in items[1:]] == [["T-3", "支模"], ["T-3", "拆模"]]
    assert all(r[4] in (None, "") for r in items[1:])
