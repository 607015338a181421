"""A database running the construction pack 1.1.0 upgrades to the bundled version with the
command an administrator runs (`formwork packs import modules/construction.json`).

1.1.0 is the bundled pack without what came after it: the dashboards, the cost sheet print
and the Gantt's WBS key, project group, actual dates and milestone. Records written under
1.1.0 are kept as they were, and the new parts work at once.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session, sessionmaker

from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.dashboards import dashboards_for
from engine.definitions.model import GanttView
from engine.records import ListQuery, list_records
from tests.bundled import CURRENT, PACK_FILE
from web.cli import cli

Run = Callable[..., Result]
RELEASED = "1.1.0"


def released_pack() -> dict[str, Any]:
    """The pack as 1.1.0 shipped it."""
    pack = copy.deepcopy(json.loads(PACK_FILE.read_text(encoding="utf-8")))
    pack["version"] = RELEASED
    pack.pop("dashboards")
    for module in pack["modules"]:
        if module["id"] == "cost_centre":
            module.pop("prints")
        for view in module.get("ui", {}).get("views", []):
            if view["type"] == "gantt":
                for key in ("key", "group", "actual", "milestone"):
                    view.pop(key)
    return pack


@pytest.fixture
def run(database_url: str) -> Run:
    runner = CliRunner(env={"DATABASE_URL": database_url})
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def counts(session: Session) -> dict[str, int]:
    catalog = load_catalog(session)
    query = ListQuery(per_page=1, with_children=False)
    return {m: list_records(session, m, SYSTEM, query).total for m in catalog.modules}


def test_an_installed_1_1_0_upgrades_to_the_bundled_pack_and_keeps_its_records(
    run: Run, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    assert CURRENT != RELEASED
    old = tmp_path / "construction-1.1.0.json"
    old.write_text(json.dumps(released_pack(), ensure_ascii=False), encoding="utf-8")
    assert run("init-db").exit_code == 0
    first = run("packs", "import", str(old))
    assert first.exit_code == 0, first.output
    with session_factory() as session:
        before = counts(session)
    assert before["schedule"] > 0 and before["fund"] > 0  # the pack's demo records

    dry = run("packs", "import", str(PACK_FILE), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert RELEASED in dry.stdout and CURRENT in dry.stdout
    assert run("packs", "list").stdout.splitlines()[1].split()[:2] == ["construction", RELEASED]

    upgraded = run("packs", "import", str(PACK_FILE))
    assert upgraded.exit_code == 0, upgraded.output
    assert "upgraded" in upgraded.stdout
    assert run("packs", "list").stdout.splitlines()[1].split()[:2] == ["construction", CURRENT]
    assert "unchanged" in run("packs", "import", str(PACK_FILE)).stdout

    with session_factory() as session:
        assert counts(session) == before  # nothing lost, the demo records not seeded twice
        catalog = load_catalog(session)
        schedule = catalog.module("schedule")
        gantt = next(v for v in schedule.ui.views if isinstance(v, GanttView))
        assert (gantt.key, gantt.group) == ("wbs_code", "project")
        assert [p["id"] for p in catalog.module("cost_centre").prints] == ["cost_sheet"]
        assert [d.id for d in dashboards_for(catalog, SYSTEM)] == ["project_overview"]
