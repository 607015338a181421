"""A large file is imported a batch of records at a time: a record whose rows straddle two
batches is gathered whole, a key is refused the second time wherever it sits, the problems
beyond the first thousand are counted, and a child row of no record comes back in the
rejected-rows file."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.errors import ValidationFailed
from engine.imports import apply_import, preview, write_rejected
from engine.imports.result import KEPT_PROBLEMS
from engine.imports.sources import Limits
from tests.engine.test_imports_children import (  # noqa: F401  (tallies is a fixture)
    HEADERS,
    REPEATED,
    _csv,
    _workbook,
    tallies,
)

pytestmark = pytest.mark.usefixtures("tallies")
PARENT = ["PRJ-2026-001", "2026/3/2", "张三", "钢筋工"]


def _tally(ref: str, task: str = "清理", hours: str = "2") -> list[str]:
    return [ref, *PARENT, task, hours, "30"]


def test_a_tally_on_rows_499_to_502_is_gathered_whole(session: Session, tmp_path: Path) -> None:
    rows = [_tally(f"A-{n}") for n in range(2, 499)]  # sheet rows 2–498: a tally each
    rows += [_tally("X", f"第{n}项") for n in range(4)]  # rows 499–502, read in two batches
    rows += [_tally(f"B-{n}") for n in range(503, 1103)]  # 600 more: written in later batches
    path = _csv(tmp_path / "many.csv", rows)
    result = apply_import(session, "labour_tally", path, SYSTEM, key="ref")
    assert result.problems == [] and result.created == 497 + 1 + 600
    again = preview(session, "labour_tally", path, SYSTEM, key="ref")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1098)
    fewer = [_tally("X", f"第{n}项") for n in range(2)]
    changed = apply_import(
        session, "labour_tally", _csv(tmp_path / "x.csv", fewer), SYSTEM, key="ref"
    )
    assert changed.updated == 1  # four items stored, now two: X was one tally of four


def test_a_key_repeated_in_a_later_batch_is_refused_at_its_row(
    session: Session, tmp_path: Path
) -> None:
    rows = [_tally(f"R-{n}") for n in range(2, 702)]
    rows[600] = _tally("R-5")  # sheet row 602: the key of row 5, two batches later
    path = _csv(tmp_path / "keys.csv", rows)
    result = apply_import(session, "labour_tally", path, SYSTEM, key="ref", mode="valid")
    found = [(p.row, p.code, p.problem.params.get("values")) for p in result.problems]
    assert found == [(602, "import_key_twice", "5, 602")]
    assert result.created == 699 and [r.number for r in result.rejected] == [602]


def test_rows_of_one_tally_far_apart_are_refused_not_written_twice(
    session: Session, tmp_path: Path
) -> None:
    rows = [_tally(f"A-{n}") for n in range(2, 1102)]
    rows.append(_tally("A-2", "搬运"))  # sheet row 1102: A-2's first row is 1,100 rows above
    rows.insert(3, _tally("A-2", "柱钢筋"))  # sheet row 5: near its first row, gathered
    path = _csv(tmp_path / "apart.csv", rows)
    result = apply_import(session, "labour_tally", path, SYSTEM, key="ref", mode="valid")
    found = [(p.row, p.code, p.problem.params.get("values")) for p in result.problems]
    assert found == [(1103, "import_key_twice", "2, 1103")]
    assert result.created == 1100 and len(result.rejected) == 1


def test_problems_beyond_the_first_thousand_are_counted(session: Session, tmp_path: Path) -> None:
    rows = [[f"R-{n}", "PRJ-2026-001", "not a day", "张三", "钢筋工"] for n in range(1200)]
    path = _csv(tmp_path / "bad.csv", rows, HEADERS[:5])
    result = apply_import(session, "labour_tally", path, SYSTEM, key="ref")
    assert len(result.problems) == KEPT_PROBLEMS == 1000 and result.problem_count == 1200
    assert [p.row for p in result.problems[:2]] == [2, 3] and {
        p.column for p in result.problems
    } == {"日期"}
    assert len(result.rejected) == 1200 and not result.written and result.created == 0


def test_an_item_of_no_tally_comes_back_in_the_rejected_file(
    session: Session, tmp_path: Path
) -> None:
    items = [[r[0], *r[5:]] for r in REPEATED] + [["T-9", "无主", "1", "30"]]
    path = _workbook(tmp_path / "orphan.xlsx", items, "items")
    result = apply_import(session, "labour_tally", path, SYSTEM, key="ref", mode="valid")
    assert [(p.sheet, p.row, p.code) for p in result.problems] == [
        ("items", 6, "import_orphan_child_row")
    ]
    assert result.created == 2 and result.rejected == []
    rejected = write_rejected(result, tmp_path / "rejected.csv")
    book = load_workbook(rejected, read_only=True)
    assert book.sheetnames == ["点工", "items"]
    main = [list(r) for r in book["点工"].iter_rows(values_only=True)]
    assert main == [[*HEADERS[:5], "error"]]  # no tally was rejected
    lines = [list(r) for r in book["items"].iter_rows(values_only=True)]
    assert lines[0] == ["单号", "工作内容", "工时", "单价（元/小时）", "error"]
    assert lines[1][:4] == ["T-9", "无主", "1", "30"] and "T-9" in str(lines[1][4])


def test_a_project_code_repeated_two_batches_later_is_refused(
    session: Session, tmp_path: Path
) -> None:
    lines = [f"K-{n},{n}号楼,在建" for n in range(2, 1202)]
    lines[1000] = "K-7,又一号楼,在建"  # sheet row 1002: the code of row 7, written long before
    path = tmp_path / "projects.csv"
    path.write_text("\n".join(["code,name,status", *lines]) + "\n", encoding="utf-8")
    result = apply_import(session, "project", path, SYSTEM, key="code", mode="valid")
    found = [(p.row, p.code, p.problem.params.get("values")) for p in result.problems]
    assert found == [(1002, "import_key_twice", "7, 1002")]
    assert result.created == 1199 and [r.number for r in result.rejected] == [1002]


def test_a_file_beyond_the_row_limit_writes_nothing(session: Session, tmp_path: Path) -> None:
    path = _csv(tmp_path / "long.csv", [_tally(f"L-{n}") for n in range(6)])
    before = _count(session)
    with pytest.raises(ValidationFailed) as refused:
        apply_import(session, "labour_tally", path, SYSTEM, mode="valid", limits=Limits(max_rows=5))
    assert [p.code for p in refused.value.problems] == ["import_too_many_rows"]
    assert _count(session) == before
    assert apply_import(session, "labour_tally", path, SYSTEM, mode="valid").created == 6
    assert _count(session) == before + 6


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(text("m_labour_tally"))) or 0
