"""`formwork packs history` and `formwork packs restore`, as an administrator uses them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from web.cli import cli

Run = Callable[..., Result]

PACK: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "mini",
    "version": "0.1.0",
    "title": "Site notes",
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
    runner = CliRunner(env={"DATABASE_URL": database_url})

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def two_versions(run: Run, tmp_path: Path) -> None:
    """mini 0.1.0, then 0.2.0 with a `mood` field."""
    newer = json.loads(json.dumps(PACK))
    newer["version"] = "0.2.0"
    newer["modules"][0]["schema"]["properties"]["mood"] = {"type": "string"}
    for name, pack in (("v1", PACK), ("v2", newer)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(pack), encoding="utf-8")
        assert run("packs", "import", str(path)).exit_code == 0


def installed(run: Run) -> str:
    return run("packs", "list").stdout.splitlines()[1].split()[1]


def test_history_then_restore_from_the_command_line(run: Run, two_versions: None) -> None:
    lines = run("packs", "history", "mini").stdout.splitlines()
    assert lines[0].split()[:2] == ["VERSION", "INSTALLED"]
    assert [line.split()[0] for line in lines[1:]] == ["0.2.0", "0.1.0"]
    assert lines[1].split()[1] == "*"  # the installed one
    dry = run("packs", "restore", "mini", "0.1.0", "--dry-run")
    assert dry.exit_code == 0 and "would be restored" in dry.stdout
    assert installed(run) == "0.2.0"
    done = run("packs", "restore", "mini", "0.1.0")
    assert done.exit_code == 0 and "pack mini 0.1.0: restored (from 0.2.0)" in done.stdout
    assert installed(run) == "0.1.0"


def test_unknown_version_is_a_clear_error(run: Run, two_versions: None) -> None:
    result = run("packs", "restore", "mini", "9.9.9")
    assert result.exit_code == 1
    assert "never had version '9.9.9'" in result.stderr
    assert installed(run) == "0.2.0"
