"""Importing labour tallies with several work items each: the items on the tally's own rows
(parent columns repeated, or blank after the first row) or on a sheet of their own."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.imports import ImportResult, apply_import, preview
from engine.packs import import_pack
from tests.bundled import PACK_FILE

HEADERS = ["单号", "所属项目", "日期", "工人姓名", "工种", "工作内容", "工时", "单价（元/小时）"]
REPEATED = [
    ["T-1", "PRJ-2026-001", "2026/3/2", "张三", "钢筋工", "梁板钢筋绑扎", "6", "42.50"],
    ["T-1", "PRJ-2026-001", "2026/3/2", "张三", "钢筋工", "柱钢筋", "2", "42.50"],
    ["T-2", "PRJ-2026-001", "2026/3/3", "李四", "普工", "清理", "4", "30"],
    ["T-2", "PRJ-2026-001", "2026/3/3", "李四", "普工", "搬运", "3.5", "30"],
]


@pytest.fixture
def tallies(session: Session) -> None:
    """The bundled pack, its tallies given an external sheet number `ref` to import by."""
    pack = json.loads(PACK_FILE.read_text(encoding="utf-8"))
    tally = next(m for m in pack["modules"] if m["id"] == "labour_tally")
    tally["schema"]["properties"]["ref"] = {
        "type": "string", "title": {"en": "Sheet no.", "zh-CN": "单号"}, "maxLength": 20,
    }  # fmt: skip
    import_pack(session, pack)


def _csv(path: Path, rows: list[list[str]], headers: list[str] = HEADERS) -> Path:
    path.write_text("\n".join(",".join(r) for r in [headers, *rows]) + "\n", encoding="utf-8")
    return path


def _items(result: ImportResult) -> list[list[tuple[str, Decimal]]]:
    return [[(i["content"], i["hours"]) for i in r.data["items"]] for r in result.sample]


def _found(result: ImportResult) -> list[tuple[Any, ...]]:
    return [(p.sheet, p.row, p.column, p.code) for p in result.problems]


TWO_TALLIES = [
    [("梁板钢筋绑扎", Decimal("6.0")), ("柱钢筋", Decimal("2.0"))],
    [("清理", Decimal("4.0")), ("搬运", Decimal("3.5"))],
]


def test_repeated_parent_columns_make_one_tally_with_two_items(
    session: Session, tallies: None, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "repeated.csv", REPEATED)
    result = apply_import(session, "labour_tally", path, SYSTEM, key="ref")
    assert _found(result) == [] and result.created == 2
    assert _items(result) == TWO_TALLIES
    first = result.sample[0].data
    assert first["hours"] == Decimal("8.0") and first["amount"] == Decimal("340.00")
    again = apply_import(session, "labour_tally", path, SYSTEM, key="ref")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert _items(again) == TWO_TALLIES  # not four items each


def test_blank_parent_columns_continue_the_tally_above(
    session: Session, tallies: None, tmp_path: Path
) -> None:
    rows = [r if i % 2 == 0 else ["", "", "", "", "", *r[5:]] for i, r in enumerate(REPEATED)]
    path = _csv(tmp_path / "blank.csv", [r[1:] for r in rows], HEADERS[1:])
    result = preview(session, "labour_tally", path, SYSTEM)
    assert _found(result) == [] and result.created == 2 and not result.written
    assert _items(result) == TWO_TALLIES


def test_without_a_key_the_number_column_gathers_the_rows(
    session: Session, tallies: None, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "numbered.csv", REPEATED, ["编号", *HEADERS[1:]])
    result = apply_import(session, "labour_tally", path, SYSTEM)
    assert _found(result) == [] and result.created == 2
    assert _items(result) == TWO_TALLIES
    assert {r.number for r in result.sample}.isdisjoint({"T-1", "T-2"})  # the engine numbers


def test_an_update_replaces_the_items_and_problems_name_their_rows(
    session: Session, tallies: None, tmp_path: Path
) -> None:
    apply_import(session, "labour_tally", _csv(tmp_path / "a.csv", REPEATED), SYSTEM, key="ref")
    fewer = [REPEATED[0], REPEATED[2]]
    changed = apply_import(
        session, "labour_tally", _csv(tmp_path / "b.csv", fewer), SYSTEM, key="ref"
    )
    assert (changed.created, changed.updated) == (0, 2)
    assert _items(changed) == [[("梁板钢筋绑扎", Decimal("6.0"))], [("清理", Decimal("4.0"))]]
    bad = [REPEATED[0], [*REPEATED[1][:2], "2026/3/9", *REPEATED[1][3:]], *REPEATED[2:]]
    bad[3] = [*bad[3][:6], "30", bad[3][7]]  # 30 hours on the second item of T-2
    result = apply_import(session, "labour_tally", _csv(tmp_path / "c.csv", bad), SYSTEM, key="ref")
    assert _found(result) == [
        (None, 3, "日期", "import_parent_differs"),
        (None, 4, None, "required"),  # 37.5 hours on T-2 want an overtime reason
        (None, 5, "工时", "maximum"),
    ]
    differs = result.problems[0].message
    assert "2026/3/9" in differs and "2026/3/2" in differs and "2, 3" in differs
    assert result.created == result.updated == 0 and not result.written


def _workbook(path: Path, items: list[list[Any]], sheet: str) -> Path:
    book = Workbook()
    main = book.active
    assert main is not None
    main.title = "点工"
    main.append(HEADERS[:5])
    main.append(REPEATED[0][:5])
    main.append(REPEATED[2][:5])
    child = book.create_sheet(sheet)
    child.append(["单号", "工作内容", "工时", "单价（元/小时）"])
    for line in items:
        child.append(line)
    book.save(path)
    return path


def test_items_on_a_sheet_of_their_own_joined_by_the_sheet_number(
    session: Session, tallies: None, tmp_path: Path
) -> None:
    items = [[r[0], *r[5:]] for r in REPEATED]
    path = _workbook(tmp_path / "tallies.xlsx", items, "工作内容")
    result = apply_import(session, "labour_tally", path, SYSTEM, key="ref")
    assert _found(result) == [] and result.created == 2
    assert _items(result) == TWO_TALLIES
    assert result.child_sheets["工作内容"]["工时"] == "items.hours"
    again = apply_import(session, "labour_tally", path, SYSTEM, key="ref")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_child_sheet_column_is_mapped_by_sheet_and_header(
    session: Session, tallies: None, tmp_path: Path
) -> None:
    """`Sheet!Header` in the mapping chooses a child sheet's column's target or leaves it out;
    a target outside the sheet's table is refused at that sheet and column."""
    items = [[r[0], *r[5:]] for r in REPEATED]
    path = _workbook(tmp_path / "tallies.xlsx", items, "工作内容")
    mapped = {"工作内容!工作内容": "items.location", "工作内容!单价（元/小时）": ""}
    result = preview(session, "labour_tally", path, SYSTEM, mapped, key="ref")
    columns = result.child_sheets["工作内容"]
    assert columns["工作内容"] == "items.location" and "单价（元/小时）" not in columns
    assert result.child_headers["工作内容"] == ["单号", "工作内容", "工时", "单价（元/小时）"]
    refused = preview(session, "labour_tally", path, SYSTEM, {"工作内容!工时": "worker"}, key="ref")
    assert ("工作内容", None, "工时", "import_unknown_field") in _found(refused)
    assert refused.created == 0


def test_an_item_of_no_tally_is_reported_at_its_sheet_and_row(
    session: Session, tallies: None, tmp_path: Path
) -> None:
    items = [[r[0], *r[5:]] for r in REPEATED] + [["T-9", "无主", "1", "30"]]
    path = _workbook(tmp_path / "orphan.xlsx", items, "items")
    result = apply_import(session, "labour_tally", path, SYSTEM, key="ref")
    assert _found(result) == [("items", 6, "单号", "import_orphan_child_row")]
    assert "T-9" in result.problems[0].message and result.created == 0
