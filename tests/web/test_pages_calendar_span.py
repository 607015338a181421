"""A calendar by start and end: the schedule's tasks run from their planned start to their
planned finish — drawn on each of their days, across week rows, listed once a day — and a
move shifts both dates by the same number of days, or is refused and leaves both."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.actor import SYSTEM
from engine.db import transaction
from engine.packs import import_pack
from engine.records import Record, get_record
from tests.web.helpers import (
    PASSWORD,
    ROOT,
    create_record,
    csrf_token,
    make_app,
    project_id,
    sign_in_as,
)

# June 2026 starts on a Monday; the seeded tasks are filtered away (none is on hold)
JUNE = "/m/schedule/calendar/month/2026-06?filter[status]=on_hold"
CELL = 'role="gridcell" data-date="'
SPAN = ["2026-06-05", "2026-06-06", "2026-06-07", "2026-06-08", "2026-06-09"]


def task(app: Flask, user: str = "planner") -> str:
    """A task of five days, Friday to Tuesday, crossing a week row."""
    data = {
        "project": project_id(app),
        "wbs_code": "7.1",
        "task": "Pour the roof slab",
        "planned_start": SPAN[0],
        "planned_finish": SPAN[-1],
        "status": "on_hold",
    }
    return create_record(app, "schedule", user, data)


def stored(app: Flask, record_id: str) -> Record:
    with transaction(app.extensions["formwork"].session_factory) as session:
        return get_record(session, "schedule", record_id, SYSTEM)


def dates(app: Flask, record_id: str) -> tuple[str, str]:
    data = stored(app, record_id).data
    return data["planned_start"].isoformat(), data["planned_finish"].isoformat()


def cells(html: str) -> dict[str, str]:
    """Each day cell of the grid: date → its HTML."""
    grid = html.split('class="cal-grid', 1)[-1]
    return {chunk[:10]: chunk[10:] for chunk in grid.split(CELL)[1:]}


def piece(cell: str, record_id: str) -> str:
    """The opening tag of a record's piece in a day cell ("" when it is not there)."""
    found = re.search(rf'<a class="cal-entry[^>]*data-id="{record_id}"[^>]*>', cell)
    return found.group(0) if found else ""


def send(client: FlaskClient, url: str, data: dict[str, str], **kwargs: Any) -> TestResponse:
    token = csrf_token(client, "/m/schedule")
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def test_a_spanning_task_is_drawn_on_each_of_its_days(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = task(app)
    sign_in("planner")
    grid = cells(client.get(JUNE).text)
    pieces = {day: piece(grid[day], record_id) for day in SPAN}
    assert all(pieces.values())  # Friday to Sunday, then Monday and Tuesday on the next row
    assert not piece(grid["2026-06-04"], record_id) and not piece(grid["2026-06-10"], record_id)
    assert "cal-span-on" in pieces[SPAN[0]] and "cal-span-from" not in pieces[SPAN[0]]
    assert "cal-span-from" in pieces[SPAN[-1]] and "cal-span-on" not in pieces[SPAN[-1]]
    assert "cal-span-cont" in pieces["2026-06-06"]  # the bar goes on without its title
    assert "cal-span-cont" not in pieces["2026-06-08"]  # a new week row names it again
    assert "day 4 of 5" in pieces["2026-06-08"]
    # the next week starts inside the task: it is read although it started before
    week = cells(client.get("/m/schedule/calendar/week/2026-06-08?filter[status]=on_hold").text)
    assert piece(week["2026-06-08"], record_id) and piece(week["2026-06-09"], record_id)
    assert not piece(week["2026-06-10"], record_id)
    agenda = client.get("/m/schedule/calendar/list/2026-06?filter[status]=on_hold").text
    days = re.findall(
        r'data-date="([\d-]+)">(.*?)</li>\s*(?=<li class="cal-agenda-day|</ol>)', agenda, re.S
    )
    listed = {day: body for day, body in days if f'data-id="{record_id}"' in body}
    assert list(listed) == SPAN  # once on each of its days
    assert "day 4 of 5" in listed["2026-06-08"] and "day 5 of 5" in listed["2026-06-09"]
    chinese = client.get(JUNE, headers={"Accept-Language": "zh-CN"}).text
    assert "第 4/5 天" in piece(cells(chinese)["2026-06-08"], record_id)


def test_an_end_before_the_start_is_drawn_on_the_start_day_only(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        from engine.records import update_record

        record_id = task(app)
        update_record(session, "schedule", record_id, 1, {"planned_finish": "2026-05-27"}, SYSTEM)
    sign_in("planner")
    grid = cells(client.get(JUNE).text)
    assert "cal-span" not in piece(grid[SPAN[0]], record_id)
    assert [day for day in grid if piece(grid[day], record_id)] == [SPAN[0]]


def test_dragging_a_spanning_task_keeps_its_duration(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = task(app)
    sign_in("planner")
    found = piece(cells(client.get(JUNE).text)["2026-06-07"], record_id)
    url = re.search(r'data-move="([^"]+)"', found)
    version = re.search(r'data-version="(\d+)"', found)
    assert url and version and 'data-start="2026-06-05"' in found
    # picked up on its third day (Sunday 7th) and dropped on Wednesday 10th: three days on
    moved = send(
        client,
        url.group(1),
        {"version": version.group(1), "date": "2026-06-08"},
        headers={"HX-Request": "true"},
    )
    assert moved.status_code == 200 and moved.headers["X-Record-Version"] == "2"
    assert dates(app, record_id) == ("2026-06-08", "2026-06-12")
    grid = cells(client.get(JUNE).text)
    assert not piece(grid["2026-06-05"], record_id) and piece(grid["2026-06-12"], record_id)
    stale = send(client, url.group(1), {"version": version.group(1), "date": "2026-06-15"})
    assert stale.status_code == 409
    assert dates(app, record_id) == ("2026-06-08", "2026-06-12")


def test_a_move_the_role_may_not_make_on_the_end_leaves_both_dates(
    database_url: str, tmp_path: Path
) -> None:
    """A planner who may read but not write the planned finish may not drag the task: the
    bar carries no move, and a posted move is refused with the reason, nothing changed."""
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    schedule = next(m for m in pack["modules"] if m["id"] == "schedule")
    schedule["permissions"]["planner"]["fields"] = {"planned_finish": "read"}
    pack["version"] = "99.0.0"
    app = make_app(database_url, tmp_path / "uploads")
    try:
        with transaction(app.extensions["formwork"].session_factory) as session:
            import_pack(session, json.dumps(pack))
        record_id = task(app, "admin")
        client = app.test_client()
        assert sign_in_as(client, "planner", PASSWORD).status_code == 302
        found = piece(cells(client.get(JUNE).text)[SPAN[0]], record_id)
        assert found and "data-move" not in found
        url = f"/m/schedule/calendar/move/{record_id}"
        send(client, "/language", {"language": "zh-CN"})
        refused = send(
            client, url, {"version": "1", "date": "2026-06-10"}, headers={"HX-Request": "true"}
        )
        assert refused.status_code == 422 and "notice-error" in refused.text
        assert "计划完成" in refused.text or "planned_finish" in refused.text
        assert dates(app, record_id) == (SPAN[0], SPAN[-1])
    finally:
        app.extensions["formwork"].engine.dispose()
