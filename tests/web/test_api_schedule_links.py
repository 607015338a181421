"""The API refuses a change of predecessor links that would make tasks wait in a circle:
422 naming the circle by the tasks' keys, and nothing written — one by one or in a batch."""

from __future__ import annotations

from typing import Any

import pytest

from engine.db import transaction
from engine.packs import import_pack
from tests.engine.schedule_pack import jobs_pack
from tests.web.helpers import Api, body, errors, project_id, sign_in_as


def job(project: str, step: str, after: str | None = None) -> dict[str, Any]:
    data = {"project": project, "step": step, "name": f"job {step}", "start": "2026-03-02"}
    return {**data, "finish": "2026-03-06", **({"after": after} if after else {})}


@pytest.fixture
def jobs(api: Api) -> dict[str, Any]:
    """Jobs 1 ← 2 ← 3 of one project, made through the API."""
    with transaction(api.session_factory) as session:
        import_pack(session, jobs_pack())
    project = project_id(api.app)
    made: dict[str, Any] = {"project": project}
    after = None
    for step in ("1", "2", "3"):
        answer = api.post("/modules/job/records", json={"data": job(project, step, after)})
        assert answer.status_code == 201, answer.text
        made[step] = body(answer)
        after = made[step]["id"]
    return made


def after_of(api: Api, record: dict[str, Any]) -> Any:
    return body(api.get(f"/modules/job/records/{record['id']}"))["data"].get("after")


def test_a_patch_closing_a_circle_is_422_and_nothing_is_written(api: Api, jobs) -> None:
    first = jobs["1"]
    change = {"version": first["version"], "data": {"after": jobs["3"]["id"]}}
    answer = api.patch(f"/modules/job/records/{first['id']}", json=change)
    assert answer.status_code == 422, answer.text
    (error,) = errors(answer)
    assert (error["path"], error["code"]) == ("/after", "dependency_cycle")
    assert "1 → 3 → 2 → 1" in error["message"]
    assert after_of(api, first) is None
    zh = api.patch(
        f"/modules/job/records/{first['id']}", json=change, headers={"Accept-Language": "zh-CN"}
    )
    assert zh.status_code == 422 and "1 → 3 → 2 → 1" in errors(zh)[0]["message"]


def test_a_batch_whose_changes_together_close_a_circle_is_refused_whole(api: Api, jobs) -> None:
    first, third = jobs["1"], jobs["3"]
    unlink = {"id": third["id"], "version": third["version"], "data": {"after": None}}
    close = {"id": first["id"], "version": first["version"], "data": {"after": jobs["2"]["id"]}}
    answer = api.post("/modules/job/records:batch", json={"records": [unlink, close]})
    assert answer.status_code == 422, answer.text
    found = [(e.get("index"), e["code"]) for e in errors(answer)]
    assert found == [(1, "dependency_cycle")]
    assert after_of(api, third) == jobs["2"]["id"]  # the first change was not kept either
    assert after_of(api, first) is None
    fine = {**close, "data": {"after": None}}
    assert api.post("/modules/job/records:batch", json={"records": [fine]}).status_code == 201


def test_a_circle_already_in_the_data_is_drawn_with_a_warning(api: Api, jobs) -> None:
    from sqlalchemy import update

    from engine.catalog import load_catalog

    with transaction(api.session_factory) as session:  # written before the check existed
        table = load_catalog(session).tables["job"].main
        session.execute(
            update(table).where(table.c.id == jobs["1"]["id"]).values(after=jobs["3"]["id"])
        )
    client = api.app.test_client()
    sign_in_as(client, "admin")
    page = client.get("/m/job/gantt")
    assert page.status_code == 200, page.text
    warning = page.text.split("wait on each other in a circle", 1)[1].split("</p>", 1)[0]
    assert "job 1 → job 3 → job 2 → job 1" in warning  # each waits on the next
