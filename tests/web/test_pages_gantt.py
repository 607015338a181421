"""The Gantt view: bars, finish-to-start arrows and the critical path of the demo schedule,
within the viewer's scope; moving a task's dates where the viewer may change them."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from engine.actor import SYSTEM
from engine.db import transaction
from engine.records import get_record
from tests.web.helpers import Api, body, errors, post

GANTT = "/m/schedule/gantt"
TASK = re.compile(r'<g class="gantt-task([^"]*)" data-id="([^"]+)" data-version="(\d+)"')


def tasks(text: str) -> dict[str, tuple[str, int]]:
    """Task id → (its classes, its version), as drawn."""
    return {m.group(2): (m.group(1), int(m.group(3))) for m in TASK.finditer(text)}


def titled(text: str, words: str) -> str:
    """The id of the task whose label shows `words`."""
    for match in TASK.finditer(text):
        end = text.find("</g>", match.end())
        if words in text[match.end() : end]:
            return match.group(2)
    raise AssertionError(f"no task {words!r}")


def test_the_schedule_draws_bars_arrows_milestones_and_the_critical_path(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    page = sign_in("planner").get(GANTT)
    assert page.status_code == 200
    drawn = tasks(page.text)
    assert len(drawn) == 6  # the demo schedule's tasks of both projects
    assert page.text.count('class="gantt-link"') == 5  # 2←1, 2.1←1, 3←2, 4←2, 4←3
    assert page.text.count('class="gantt-milestone"') == 2
    assert page.text.count('class="gantt-group-band"') == 2  # one heading per project
    # 2.1 runs beside 2 → 3 and may slip 366 days; the rest of Riverside is critical
    side = titled(page.text, "2.1 ")
    assert "critical" not in drawn[side][0]
    assert "float 366 days" in page.text
    assert sum("critical" in classes for classes, _ in drawn.values()) == 5
    assert page.text.count('class="gantt-actual"') == 4  # actual dates under planned bars
    assert (
        'style="' not in page.text.split('<svg class="gantt"', 1)[1]
    )  # CSP: classes, never styles


def test_zoom_and_filters_keep_to_the_list_parameters(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    client = sign_in("planner")
    wide = client.get(GANTT + "?zoom=day").text
    narrow = client.get(GANTT + "?zoom=month").text
    width = re.compile(r'<svg class="gantt"[^>]* width="([\d.]+)"')
    assert float(width.search(wide).group(1)) > 5 * float(width.search(narrow).group(1))  # type: ignore[union-attr]
    done = client.get(GANTT + "?filter[status]=done").text
    assert len(tasks(done)) < 6
    assert 'aria-current="page"' in done and "/m/schedule?filter" in done  # the List tab keeps it


def test_a_viewer_sees_the_chart_but_no_date_inputs(sign_in: Callable[[str], FlaskClient]) -> None:
    page = sign_in("foreman").get(GANTT)
    assert page.status_code == 200 and len(tasks(page.text)) == 6
    assert 'class="gantt-move"' not in page.text and "data-movable" not in page.text


def test_a_planner_moves_a_task_and_the_version_is_checked(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    client = sign_in("planner")
    page = client.get(GANTT).text
    task = titled(page, "2.1 ")
    version = tasks(page)[task][1]
    url = f"{GANTT}/move/{task}"
    form = {"version": version, "start": "2026-03-20", "end": "2026-07-10"}
    moved = post(client, url, form, headers={"HX-Request": "true"})
    assert moved.status_code == 200 and moved.headers["HX-Trigger"] == "gantt-moved"
    with transaction(app.extensions["formwork"].session_factory) as session:
        record = get_record(session, "schedule", task, SYSTEM)
    assert str(record.data["planned_finish"]) == "2026-07-10"
    stale = post(client, url, form, headers={"HX-Request": "true", "Accept-Language": "zh-CN"})
    assert stale.status_code == 409 and 'role="alert"' in stale.text


def test_a_foreman_may_not_move_a_task_and_is_told_why_in_chinese(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    client = sign_in("foreman")
    page = client.get(GANTT).text
    task = titled(page, "2.1 ")
    form = {"version": tasks(page)[task][1], "start": "2026-04-01", "end": "2026-07-01"}
    headers = {"HX-Request": "true", "Accept-Language": "zh-CN"}
    refused = post(client, f"{GANTT}/move/{task}", form, headers=headers)
    assert refused.status_code == 403
    assert re.search(r"[\u4e00-\u9fff]", refused.text), refused.text
    with transaction(app.extensions["formwork"].session_factory) as session:
        record = get_record(session, "schedule", task, SYSTEM)
    assert str(record.data["planned_finish"]) == "2026-06-30"


def test_predecessors_that_make_a_circle_are_refused_by_the_api_in_chinese(api: Api) -> None:
    riverside = {"filter[wbs_code]": "1", "filter[milestone]": "true"}  # 4 waits on 2, 2 on 1
    first = api.first("schedule", as_="planner", **riverside)
    patch = {"version": first["version"], "data": {"predecessors": "4"}}
    headers = {"Accept-Language": "zh-CN"}
    url = f"/modules/schedule/records/{first['id']}"
    refused = api.patch(url, as_="planner", json=patch, headers=headers)
    assert refused.status_code == 422
    (error,) = errors(refused)
    assert (error["path"], error["code"]) == ("/predecessors", "dependency_cycle")
    assert "前置工作形成循环" in error["message"] and "1 → 4" in error["message"]
    assert body(api.get(url, as_="planner"))["version"] == first["version"]  # nothing written


def test_the_date_form_moves_a_task_without_dragging(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    client = sign_in("planner")
    page = client.get(GANTT).text
    task = titled(page, "2.1 ")
    assert f'<option value="{task}@{tasks(page)[task][1]}">' in page
    form = {"task": f"{task}@{tasks(page)[task][1]}", "start": "2026-03-18", "end": "2026-07-01"}
    moved = post(client, f"{GANTT}/move", form)
    assert moved.status_code == 303
    with transaction(app.extensions["formwork"].session_factory) as session:
        record = get_record(session, "schedule", task, SYSTEM)
    assert str(record.data["planned_start"]) == "2026-03-18"
