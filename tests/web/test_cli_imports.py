"""`formwork records import --background`, then `formwork imports list` and `imports show`:
a file queued from the command line, run by a worker, found in the history."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner, Result

from engine.actor import SYSTEM
from engine.attachments import LocalFolder
from engine.db import make_engine, make_session_factory, transaction
from engine.imports.jobs import job_view, run_next
from tests.web.test_cli_import import install, projects
from web.cli import cli

CSV = "项目编号,项目名称,项目状态\nC-1,一号楼,在建\nC-2,二号楼,宇航\nC-3,三号楼,筹备中\n"


def run(database_url: str, uploads: Path, *args: str) -> Result:
    env = {"DATABASE_URL": database_url, "FORMWORK_UPLOADS": str(uploads), "SECRET_KEY": "t"}
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


def work(database_url: str, uploads: Path) -> int | None:
    engine = make_engine(database_url)
    try:
        return run_next(make_session_factory(engine), LocalFolder(uploads))
    finally:
        engine.dispose()


def test_a_background_import_is_queued_run_and_shown(database_url: str, tmp_path: Path) -> None:
    install(database_url)
    uploads = tmp_path / "uploads"
    before = projects(database_url)
    path = tmp_path / "projects.csv"
    path.write_bytes(CSV.encode("gbk"))
    args = ("records", "import", "project", str(path), "--key", "code")
    queued = run(database_url, uploads, *args, "--valid-only", "--background")
    assert queued.exit_code == 0, queued.output
    job_id = int(queued.stdout.strip())
    assert f"formwork imports show {job_id}" in queued.stderr
    assert projects(database_url) == before  # nothing until a worker runs it
    waiting = run(database_url, uploads, "imports", "show", str(job_id))
    assert "Status queued" in waiting.stdout
    assert work(database_url, uploads) == job_id
    shown = run(database_url, uploads, "imports", "show", str(job_id))
    assert "Status done: 3/3 records (100%)" in shown.stdout
    assert "Created 2, updated 0, unchanged 0, rejected 1." in shown.stdout
    assert "row 3, 项目状态" in shown.stdout and "宇航" in shown.stdout
    assert "Rejected rows: stored file" in shown.stdout
    assert projects(database_url) == before + 2
    listed = run(database_url, uploads, "imports", "list", "project")
    line = next(ln for ln in listed.stdout.splitlines() if ln.startswith(str(job_id)))
    assert "(command line)" in line and "projects.csv" in line and "valid" in line
    assert "done" in line and "2/0/0/1" in line


def test_showing_an_unknown_import_is_a_one_line_error(database_url: str, tmp_path: Path) -> None:
    result = CliRunner(env={"DATABASE_URL": database_url}).invoke(cli, ["imports", "show", "99"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no import 99 that you may read" in result.stderr


def _serve(database_url: str, uploads: Path, *options: str) -> subprocess.Popen[bytes]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="t")
    env["FORMWORK_UPLOADS"] = str(uploads)
    return subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--port", str(port), "--workers", "1", *options],
        cwd=Path(__file__).parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _status(database_url: str, job_id: int) -> str:
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine), write=False) as session:
            return job_view(session, job_id, SYSTEM).status
    finally:
        engine.dispose()


def test_the_server_runs_queued_imports_itself_unless_told_not_to(
    database_url: str, tmp_path: Path
) -> None:
    install(database_url)
    uploads = tmp_path / "uploads"
    path = tmp_path / "projects.csv"
    path.write_bytes(CSV.encode("gbk"))
    before = projects(database_url)
    args = ("records", "import", "project", str(path), "--key", "code", "--valid-only")
    for options, expected in ((("--no-worker",), "queued"), ((), "done")):
        job_id = int(run(database_url, uploads, *args, "--background").stdout)
        server = _serve(database_url, uploads, *options)
        try:
            deadline = time.monotonic() + (6 if options else 30)  # ready in about 2 s
            while _status(database_url, job_id) != "done" and time.monotonic() < deadline:
                assert server.poll() is None, server.communicate()[0].decode()
                time.sleep(0.2)
            assert _status(database_url, job_id) == expected
        finally:
            server.terminate()
            server.communicate(timeout=30)
    assert projects(database_url) == before + 2  # the first job waits for a worker
