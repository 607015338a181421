"""`formwork records import`: a site office's spreadsheet imported from the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select, text

from engine.db import make_engine, make_session_factory, transaction
from engine.packs import import_pack
from tests.bundled import PACK_FILE
from web.cli import cli

CSV = "项目编号,项目名称,项目状态\nC-1,一号楼,在建\nC-2,二号楼,宇航\nC-3,三号楼,筹备中\n"


def run(database_url: str, *args: str) -> Result:
    runner = CliRunner(env={"DATABASE_URL": database_url})
    return runner.invoke(cli, ["records", "import", *args], catch_exceptions=False)


def projects(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            return session.scalar(select(func.count()).select_from(text("m_project"))) or 0
    finally:
        engine.dispose()


def install(database_url: str) -> None:
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        import_pack(session, PACK_FILE.read_text(encoding="utf-8"))
    engine.dispose()


def test_import_refuses_all_then_writes_the_valid_rows(database_url: str, tmp_path: Path) -> None:
    install(database_url)
    before = projects(database_url)
    path = tmp_path / "projects.csv"
    path.write_bytes(CSV.encode("gbk"))
    refused = run(database_url, "project", str(path), "--key", "code")
    assert refused.exit_code == 1
    assert "row 3, 项目状态" in refused.stderr and "宇航" in refused.stderr
    assert projects(database_url) == before
    dry = run(database_url, "project", str(path), "--valid-only", "--dry-run")
    assert "Would create 2" in dry.stdout and projects(database_url) == before
    assert "Read encoding gb18030" in dry.stdout and "项目状态 → status" in dry.stdout
    assert "name=一号楼" in dry.stdout  # the first rows as they would be stored
    done = run(database_url, "project", str(path), "--key", "code", "--valid-only")
    assert done.exit_code == 0, done.output
    assert "Created 2, updated 0, unchanged 0, rejected 1." in done.stdout
    rejected = Path(f"{path}.rejected.csv")
    assert "宇航" in rejected.read_text(encoding="utf-8-sig")
    assert projects(database_url) == before + 2
    again = run(database_url, "project", str(path), "--key", "code", "--valid-only")
    assert "Created 0, updated 0, unchanged 2, rejected 1." in again.stdout


def test_a_mapping_override_and_an_unknown_field(database_url: str, tmp_path: Path) -> None:
    install(database_url)
    path = tmp_path / "p.csv"
    path.write_text("编码,name,status\nM-1,Site,active\n", encoding="utf-8")
    wrong = run(database_url, "project", str(path), "--map", "编码=codex")
    assert wrong.exit_code == 1 and "codex" in wrong.stderr
    right = run(database_url, "project", str(path), "--map", "编码=code")
    assert right.exit_code == 0, right.output
    assert "编码 → code" in right.stdout and "Created 1" in right.stdout
