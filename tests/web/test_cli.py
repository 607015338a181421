"""The `formwork` command line, as an administrator uses it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from engine import accounts
from engine.errors import DefinitionError, NotFound, Problem
from engine.migrate import head_revision
from web import create_app
from web.cli import DEMO_USERS, cli, report_error

Run = Callable[..., Result]

MINI_PACK = {
    "format": "formwork.pack/1",
    "id": "mini",
    "version": "0.1.0",
    "title": {"en": "Site notes", "zh-CN": "现场记录"},
    "modules": [
        {
            "id": "notes",
            "title": "Notes",
            "schema": {"type": "object", "properties": {"text": {"type": "string"}}},
        }
    ],
}


@pytest.fixture
def run(database_url: str) -> Run:
    """Run a `formwork` command against the test database, as a fresh process would."""
    runner = CliRunner(env={"DATABASE_URL": database_url})

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def test_init_db_twice_is_harmless(run: Run) -> None:
    for _ in range(2):
        result = run("init-db")
        assert result.exit_code == 0, result.output
        assert f"at revision {head_revision()}" in result.stdout


def test_init_db_creates_a_new_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'new.db'}"
    result = CliRunner(env={"DATABASE_URL": url}).invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sub" / "new.db").exists()
    assert CliRunner(env={"DATABASE_URL": url}).invoke(cli, ["users", "list"]).exit_code == 0


def test_users_create_reads_the_password_from_stdin(
    run: Run, session_factory: sessionmaker[Session]
) -> None:
    result = run(
        "users", "create", "manager", "--password-stdin",
        "--role", "site_manager", "--role", "viewer",
        "--grant", "project=p-1", "--grant", "project=p-2",
        input="s3cret pass\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created user manager" in result.stdout
    with session_factory() as session:
        user = accounts.verify_password(session, "manager", "s3cret pass")
        assert user is not None
        assert accounts.role_ids(user) == {"site_manager", "viewer"}
        grants = [(g.module, g.record_id) for g in accounts.list_grants(session, user)]
        assert grants == [("project", "p-1"), ("project", "p-2")]


def test_users_create_without_password_stdin_is_a_usage_error(run: Run) -> None:
    result = run("users", "create", "manager")
    assert result.exit_code == 2
    assert "--password-stdin" in result.stderr


def test_bad_grant_is_a_usage_error(run: Run) -> None:
    result = run("users", "create", "manager", "--password-stdin", "--grant", "p1", input="x" * 9)
    assert result.exit_code == 2
    assert "MODULE=RECORD_ID" in result.stderr


def test_invalid_user_is_refused_with_one_line_per_problem(run: Run) -> None:
    result = run("users", "create", "Bad Name", "--password-stdin", input="short\n")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: invalid input")
    assert lines[1].startswith("/name: ")
    assert lines[2] == "/password: must be at least 8 characters"
    assert run("users", "list").stdout.strip() == "No users."


def test_duplicate_user_is_refused(run: Run) -> None:
    assert run("users", "create", "planner", "--password-stdin", input="password1").exit_code == 0
    result = run("users", "create", "planner", "--password-stdin", input="password2")
    assert result.exit_code == 1
    assert "/name: a user named 'planner' already exists" in result.stderr


def test_token_create_list_and_deactivation(
    run: Run, session_factory: sessionmaker[Session]
) -> None:
    run("users", "create", "integrator", "--password-stdin", "--role", "viewer", input="password1")
    result = run("tokens", "create", "integrator", "--name", "erp")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("fw_") and "\n" not in token
    assert "cannot be shown again" in result.stderr
    with session_factory.begin() as session:
        assert accounts.authenticate_token(session, token) is not None

    listed = run("tokens", "list", "integrator").stdout
    assert "erp" in listed and "active" in listed and token not in listed

    users = run("users", "list").stdout.splitlines()
    assert users[0].split() == ["NAME", "STATE", "ROLES", "DISPLAY", "NAME"]
    assert users[1].split() == ["integrator", "active", "viewer"]

    result = run("users", "deactivate", "integrator")
    assert result.exit_code == 0
    assert "1 API token(s) revoked" in result.stdout
    assert run("users", "list").stdout.splitlines()[1].split()[:2] == ["integrator", "inactive"]
    with session_factory.begin() as session:
        assert accounts.authenticate_token(session, token) is None
    assert "revoked" in run("tokens", "list", "integrator").stdout


def test_token_revoke(run: Run, session_factory: sessionmaker[Session]) -> None:
    run("users", "create", "integrator", "--password-stdin", input="password1")
    token = run("tokens", "create", "integrator").stdout.strip()
    with session_factory() as session:
        (row,) = accounts.list_tokens(session, "integrator")
    assert run("tokens", "revoke", str(row.id)).exit_code == 0
    with session_factory.begin() as session:
        assert accounts.authenticate_token(session, token) is None
    result = run("tokens", "revoke", "424242")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no API token with id 424242"


def test_unknown_user_is_a_clear_error(run: Run) -> None:
    for args in (("users", "deactivate", "ghost"), ("tokens", "create", "ghost")):
        result = run(*args)
        assert result.exit_code == 1
        assert result.stderr.strip() == "Error: no user named 'ghost'"


def test_demo_users_are_created_once_with_working_passwords(
    run: Run, session_factory: sessionmaker[Session]
) -> None:
    result = run("demo-users")
    assert result.exit_code == 0, result.output
    printed = {
        line.split()[0]: line.split()[2]
        for line in result.stdout.splitlines()
        if line.split() and line.split()[0] in {name for name, _, _ in DEMO_USERS}
    }
    assert set(printed) == {name for name, _, _ in DEMO_USERS}
    with session_factory() as session:
        for name, role, _ in DEMO_USERS:
            user = accounts.verify_password(session, name, printed[name])
            assert user is not None and accounts.role_ids(user) == {role}

    again = run("demo-users")
    assert again.exit_code == 0
    assert "PASSWORD" not in again.stdout
    assert all(password not in again.stdout for password in printed.values())
    assert "Already there" in again.stdout


def test_demo_manager_is_granted_the_seeded_projects(
    run: Run, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        session.execute(text("CREATE TABLE m_project (id VARCHAR(36) PRIMARY KEY)"))
        session.execute(text("INSERT INTO m_project (id) VALUES ('p1'), ('p2')"))
    result = run("demo-users")
    assert "manager may see 2 project record(s)" in result.stdout
    with session_factory() as session:
        grants = accounts.list_grants(session, "manager")
        assert [(g.module, g.record_id) for g in grants] == [("project", "p1"), ("project", "p2")]
        assert accounts.list_grants(session, "viewer") == []


def test_engine_errors_are_printed_as_path_and_message(capsys: pytest.CaptureFixture[str]) -> None:
    report_error(
        DefinitionError(
            [Problem("/modules/0/id", "must match ^[a-z]"), Problem("", "unknown key 'x'")]
        )
    )
    assert capsys.readouterr().err.splitlines() == [
        "Error: the pack was refused; nothing was imported (2 problems):",
        "/: unknown key 'x'",
        "/modules/0/id: must match ^[a-z]",
    ]
    report_error(NotFound("no installed pack 'x'"))
    assert capsys.readouterr().err == "Error: no installed pack 'x'\n"


def test_flask_cli_runs_the_same_commands_on_the_apps_database(database_url: str) -> None:
    # DATABASE_URL in the environment points elsewhere (an empty file): the app's wins.
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True})
    try:
        runner = app.test_cli_runner()
        created = runner.invoke(
            args=["users", "create", "viewer", "--password-stdin"], input="password1\n"
        )
        assert created.exit_code == 0, created.output
        assert "viewer" in runner.invoke(args=["users", "list"]).stdout
        assert runner.invoke(args=["users", "deactivate", "ghost"]).exit_code == 1
    finally:
        app.extensions["formwork"].engine.dispose()


def test_python_dash_m_web_runs_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "web", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stderr
    for command in ("init-db", "packs", "users", "tokens", "serve", "demo-users"):
        assert command in result.stdout


def _pack_engine_missing() -> str | None:
    """Why pack commands cannot run yet, or None once engine.packs works."""
    try:
        from engine.definitions import load_pack

        load_pack(json.loads(json.dumps(MINI_PACK)))
    except ImportError as error:
        return f"the pack engine is not complete yet ({error})"
    return None


@pytest.fixture
def pack_file(tmp_path: Path) -> Path:
    reason = _pack_engine_missing()
    if reason:
        pytest.skip(reason)
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(MINI_PACK, ensure_ascii=False), encoding="utf-8")
    return path


def test_packs_import_dry_run_then_install_list_and_export(
    run: Run, pack_file: Path, tmp_path: Path
) -> None:
    dry = run("packs", "import", str(pack_file), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "mini" in dry.stdout
    assert run("packs", "list").stdout.strip() == "No packs installed."

    installed = run("packs", "import", str(pack_file))
    assert installed.exit_code == 0, installed.output
    assert "installed" in installed.stdout
    assert "unchanged" in run("packs", "import", str(pack_file)).stdout

    listed = run("packs", "list").stdout.splitlines()
    assert listed[0].split() == ["PACK", "VERSION", "TITLE", "MODULES"]
    assert listed[1].split() == ["mini", "0.1.0", "Site", "notes", "notes"]

    exported = run("packs", "export", "mini")
    assert json.loads(exported.stdout) == MINI_PACK
    out = tmp_path / "out" / "mini.json"
    out.parent.mkdir()
    assert run("packs", "export", "mini", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == MINI_PACK
    assert "现场记录" in out.read_text(encoding="utf-8")


def test_refused_pack_lists_every_problem_and_imports_nothing(
    run: Run, pack_file: Path, tmp_path: Path
) -> None:
    bad = dict(MINI_PACK, id="Bad Id", version="one")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = run("packs", "import", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: the pack was refused; nothing was imported")
    assert any(line.startswith("/id: ") for line in lines[1:])
    assert any(line.startswith("/version: ") for line in lines[1:])
    assert run("packs", "list").stdout.strip() == "No packs installed."


def test_pack_file_that_is_not_json_or_not_text(run: Run, pack_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = run("packs", "import", str(broken))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1].startswith("/: ")

    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    result = run("packs", "import", str(binary))
    assert result.exit_code == 1
    assert "not UTF-8 text" in result.stderr


def test_export_of_an_unknown_pack(run: Run, pack_file: Path) -> None:
    result = run("packs", "export", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no installed pack 'nope'"


def test_serve_runs_gunicorn_answering_on_the_given_port(database_url: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test")
    server = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--port", str(port), "--workers", "1"],
        cwd=Path(__file__).parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    assert json.load(r)["status"] == "ok"
                    break
            except OSError:
                assert server.poll() is None, server.communicate()[0].decode()
                assert time.monotonic() < deadline, "the server did not answer in 30 s"
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "gunicorn" in output.lower()


def test_commands_on_a_database_that_was_never_set_up_say_what_to_do(tmp_path: Path) -> None:
    runner = CliRunner(env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    for args in (["users", "list"], ["packs", "list"], ["demo-users"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert "is empty: run `formwork init-db` first" in result.stderr


def test_unreachable_database_is_a_one_line_error() -> None:
    runner = CliRunner(env={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    result = runner.invoke(cli, ["init-db"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: database: ")
    assert "Traceback" not in result.output
