"""Scope and state rules at the API: the same answer on single, batch and change requests.

A site manager granted one project cannot file a schedule task under another one, alone or
in a batch, nor move one there (422 on the project, nothing written); a submitted labour
tally cannot be deleted by its foreman (409) but can by an admin; the record page offers no
delete button where the rule would refuse it.
"""

from __future__ import annotations

from typing import Any

from engine import accounts
from engine.db import transaction
from tests.web.helpers import PASSWORD, Api, body, labour_data, paths


def scoped_manager(api: Api, project: str) -> None:
    """`zhou`, a site manager granted exactly one project, with an API token."""
    with transaction(api.session_factory) as session:
        accounts.create_user(session, "zhou", PASSWORD, roles=["site_manager"])
        accounts.add_grant(session, "zhou", "project", project)
        api.tokens["zhou"] = accounts.create_token(session, "zhou", "tests")


def task(project: str, code: str = "9.1") -> dict[str, Any]:
    return {
        "project": project,
        "wbs_code": code,
        "task": "Pour the roof slab",
        "planned_start": "2026-04-01",
        "planned_finish": "2026-04-03",
        "status": "not_started",
    }


def total(api: Api, module: str) -> int:
    return int(body(api.get(f"/modules/{module}/records"))["total"])


def test_writes_outside_the_granted_project_are_refused_on_every_path(api: Api) -> None:
    projects = [p["id"] for p in body(api.get("/modules/project/records"))["items"]]
    mine, other = projects[0], projects[1]
    scoped_manager(api, mine)
    before = total(api, "schedule")
    single = api.post("/modules/schedule/records", as_="zhou", json={"data": task(other)})
    assert single.status_code == 422 and paths(single) == {"/project"}
    batch = api.post(
        "/modules/schedule/records:batch",
        as_="zhou",
        json={"records": [{"data": task(mine)}, {"data": task(other, "9.2")}]},
    )
    assert batch.status_code == 422
    assert [(e["index"], e["path"]) for e in body(batch)["errors"]] == [(1, "/project")]
    assert total(api, "schedule") == before
    created = api.post("/modules/schedule/records", as_="zhou", json={"data": task(mine)})
    assert created.status_code == 201, created.text
    record = body(created)
    moved = api.patch(
        f"/modules/schedule/records/{record['id']}",
        as_="zhou",
        json={"version": 1, "data": {"project": other}},
    )
    assert moved.status_code == 422 and paths(moved) == {"/project"}
    again = body(api.get(f"/modules/schedule/records/{record['id']}"))
    assert again["version"] == 1 and again["data"]["project"] == mine


def test_a_submitted_record_is_deleted_only_by_an_admin(api: Api) -> None:
    project = api.first("project")["id"]
    created = api.post(
        "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
    )
    record = body(created)
    url = f"/modules/labour_tally/records/{record['id']}"
    submitted = api.post(f"{url}/transitions/submit", as_="foreman", json={})
    assert submitted.status_code == 200, submitted.text
    refused = api.delete(url, as_="foreman")
    assert refused.status_code == 409
    assert "read-only" in body(refused)["errors"][0]["message"]
    assert api.get(url, as_="foreman").status_code == 200
    assert api.delete(url, as_="admin").status_code == 204
    assert api.get(url, as_="admin").status_code == 404
