"""Importing records: the cells a person types (yes/no, users by their shown name, record
numbers as the key), merged cells, and files beyond an import's limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor
from engine.errors import PermissionDenied, ValidationFailed
from engine.imports import Limits, apply_import, preview
from engine.models import User
from engine.packs import import_pack
from engine.records import create_record, get_record
from tests.engine.people import make_user
from tests.engine.test_imports import TALLIES, TALLY_HEADERS, _pack, csv_file


@pytest.fixture
def clerk(session: Session) -> Actor:
    import_pack(session, _pack())
    return make_user(session, "clerk1", "clerk")


def test_yes_no_and_a_user_by_display_name(session: Session, clerk: Actor, tmp_path: Path) -> None:
    make_user(session, "wang.jg", "foreman")
    session.execute(update(User).where(User.name == "wang.jg").values(display_name="王建国"))
    path = tmp_path / "t.csv"
    rows = [[*TALLIES[0], "是", "王建国"], [*TALLIES[1], "否", "nobody"]]
    lines = [",".join([*TALLY_HEADERS, "含餐补", "现场核验人"]), *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = preview(session, "labour_tally", path, clerk)
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (3, "现场核验人", "import_no_user")
    ]
    result = apply_import(session, "labour_tally", path, clerk, mode="valid")
    (record,) = result.sample
    assert record.data["meal_allowance"] is True and record.data["checker"] == "wang.jg"


def test_the_record_number_is_a_key(session: Session, tmp_path: Path) -> None:
    import_pack(session, _pack())
    record = create_record(
        session, "project", {"code": "N-1", "name": "旧名", "status": "active"}, SYSTEM
    )
    path = tmp_path / "p.csv"
    path.write_text(
        f"编号,项目名称\n{record.number},新名\nPRJ-1999-999,无此项目\n", encoding="utf-8"
    )
    result = apply_import(session, "project", path, SYSTEM, key="$number", mode="valid")
    assert (result.created, result.updated) == (0, 1)
    assert [(p.row, p.code) for p in result.problems] == [(3, "import_unknown_number")]
    assert get_record(session, "project", record.id, SYSTEM).data["name"] == "新名"


def test_merged_cells_are_reported_where_they_start(
    session: Session, clerk: Actor, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(TALLY_HEADERS)
    sheet.append(TALLIES[0])
    sheet.append(["", *TALLIES[1][1:]])
    sheet.merge_cells("A2:A3")  # one project for both rows, as people like to draw it
    book.save(tmp_path / "merged.xlsx")
    result = apply_import(session, "labour_tally", tmp_path / "merged.xlsx", clerk)
    assert (2, "所属项目", "import_merged_cells") in {
        (p.row, p.column, p.code) for p in result.problems
    }
    assert "A2:A3" in result.problems[0].message or any(
        "A2:A3" in p.message for p in result.problems
    )
    assert result.created == 0


def test_limits_refuse_the_file_before_any_work(
    session: Session, clerk: Actor, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "t.csv", TALLIES, "utf-8")
    for limits, code in [
        (Limits(max_bytes=100), "import_too_large"),
        (Limits(max_rows=1), "import_too_many_rows"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            apply_import(session, "labour_tally", path, clerk, limits=limits)
        assert [p.code for p in refused.value.problems] == [code]
    with pytest.raises(ValidationFailed) as refused:
        apply_import(session, "labour_tally", path, clerk, encoding="klingon")
    assert [p.code for p in refused.value.problems] == ["import_bad_encoding"]


def test_only_roles_allowed_to_import_may(session: Session, clerk: Actor, tmp_path: Path) -> None:
    foreman = make_user(session, "lee", "foreman")  # creates tallies, may not import them
    path = csv_file(tmp_path / "t.csv", TALLIES, "utf-8")
    with pytest.raises(PermissionDenied):
        apply_import(session, "labour_tally", path, foreman)


def test_a_named_sheet_and_a_number_column_that_is_not_the_key(
    session: Session, tmp_path: Path
) -> None:
    import_pack(session, _pack())
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "说明"
    cover.append(["这是说明页"])
    sheet = book.create_sheet("项目")
    sheet.append(["编号", "Project code", "name", "status", "Manager notes"])
    sheet.append(["PRJ-OLD-1", "S-1", "Sheet two", "active", "ignored"])
    book.save(tmp_path / "two.xlsx")
    with pytest.raises(ValidationFailed) as refused:
        preview(session, "project", tmp_path / "two.xlsx", SYSTEM, sheet="Projects")
    assert "说明, 项目" in refused.value.problems[0].message
    result = apply_import(
        session, "project", tmp_path / "two.xlsx", SYSTEM, {"Manager notes": ""}, sheet="项目"
    )
    assert result.sheet == "项目" and result.created == 1
    assert result.unmapped == ["Manager notes", "编号"]
    assert result.sample[0].number != "PRJ-OLD-1"  # the engine numbers new records


def test_a_short_gbk_file_is_read_as_chinese(session: Session, tmp_path: Path) -> None:
    import_pack(session, _pack())
    path = tmp_path / "short.csv"
    path.write_bytes("项目编号,项目名称,项目状态\nG-1,一号楼,在建\n".encode("gbk"))
    result = apply_import(session, "project", path, SYSTEM)
    assert result.encoding == "gb18030" and result.created == 1
    assert result.sample[0].data["name"] == "一号楼"
