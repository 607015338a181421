"""Predecessors named by link: a save that closes a circle is refused on every write path,
naming the tasks by their keys; a circle already in the data is drawn with a warning."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.definitions.model import GanttView
from engine.errors import ValidationFailed
from engine.packs import import_pack
from engine.records import ListQuery, create_record, get_record, update_record
from engine.records.service import create_records
from engine.schedule.gantt import read_gantt
from tests.engine.schedule_pack import schedule_pack


def job(project: str, step: str | None, after: str | None = None) -> dict[str, Any]:
    data = {"project": project, "name": f"job {step}", "start": "2026-03-02"}
    data.update(finish="2026-03-06", step=step, after=after)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def chain(session: Session) -> dict[str, str]:
    """Jobs 1 ← 2 ← 3 (3 waits on 2, which waits on 1), and 4 on its own."""
    import_pack(session, schedule_pack())
    project = create_record(session, "project", {"code": "A", "name": "Tower A"}, SYSTEM).id
    one = create_record(session, "job", job(project, "1"), SYSTEM).id
    two = create_record(session, "job", job(project, "2", one), SYSTEM).id
    three = create_record(session, "job", job(project, "3", two), SYSTEM).id
    four = create_record(session, "job", job(project, None), SYSTEM).id
    return {"project": project, "1": one, "2": two, "3": three, "4": four}


def refused(session: Session, record_id: str, after: str, **more: str) -> ValidationFailed:
    current = get_record(session, "job", record_id, SYSTEM)
    with pytest.raises(ValidationFailed) as failure:
        data = {"after": after, **more}
        update_record(session, "job", record_id, current.version, data, SYSTEM)
    return failure.value


def test_a_link_that_closes_a_circle_is_refused_naming_it_by_keys(session, chain) -> None:
    (problem,) = refused(session, chain["1"], chain["3"]).problems  # 1 → 3 → 2 → 1
    assert (problem.path, problem.code) == ("/after", "dependency_cycle")
    assert problem.params["cycle"] == "1 → 3 → 2 → 1"
    assert get_record(session, "job", chain["1"], SYSTEM).data.get("after") is None


def test_a_task_waiting_on_itself_is_refused_and_named_by_its_number_without_a_key(
    session, chain
) -> None:
    (problem,) = refused(session, chain["4"], chain["4"]).problems
    number = get_record(session, "job", chain["4"], SYSTEM).number
    assert number and problem.params["cycle"] == f"{number} → {number}"


def test_a_key_changed_in_the_same_save_is_named_as_written(session, chain) -> None:
    current = get_record(session, "job", chain["2"], SYSTEM)
    with pytest.raises(ValidationFailed) as failure:
        change = {"after": chain["3"], "step": "2b"}
        update_record(session, "job", chain["2"], current.version, change, SYSTEM)
    assert failure.value.problems[0].params["cycle"] == "2b → 3 → 2b"


def test_links_that_do_not_close_a_circle_are_saved(session, chain) -> None:
    current = get_record(session, "job", chain["4"], SYSTEM)
    moved = update_record(
        session, "job", chain["4"], current.version, {"after": chain["3"]}, SYSTEM
    )
    assert moved.data["after"] == chain["3"]
    # 1 may wait on 4 no longer once 4 waits on 3: that would be 1 → 4 → 3 → 2 → 1
    cycle = refused(session, chain["1"], chain["4"]).problems[0].params["cycle"]
    assert cycle == f"1 → {moved.number} → 3 → 2 → 1"
    created = create_records(session, "job", [job(chain["project"], "5", chain["1"])], SYSTEM)
    assert len(created) == 1  # a new task may wait on any task: nobody waits on it yet


def test_an_old_circle_is_drawn_with_a_warning_and_no_timing(session, chain) -> None:
    catalog = load_catalog(session)
    table = catalog.tables["job"].main  # data written before the check existed
    session.execute(update(table).where(table.c.id == chain["1"]).values(after=chain["3"]))
    module = catalog.module("job")
    view = next(v for v in module.ui.views if isinstance(v, GanttView))
    gantt = read_gantt(session, "job", view, SYSTEM, ListQuery())
    assert gantt.cycle is not None and set(gantt.cycle) == {chain["1"], chain["2"], chain["3"]}
    timed = {t.key for t in gantt.tasks if t.timing is not None}
    assert "1" not in timed and "2" not in timed and "3" not in timed
    # the next change inside the circle is refused, one outside it is not
    inside = refused(session, chain["2"], chain["1"], name="renamed")
    assert inside.problems[0].code == "dependency_cycle"
    current = get_record(session, "job", chain["4"], SYSTEM)
    update_record(session, "job", chain["4"], current.version, {"name": "kept"}, SYSTEM)
