"""A batch of changes settles each touched project's rollups once, not once per record.

Five schedule tasks of one project marked done in one batch: the project's open-task count
(a stored rollup) moves by five, in one recomputation of that project — counted by a
trigger of the test's own on the rollup's column — where changing them one by one
recomputes it five times.
"""

from __future__ import annotations

from sqlalchemy import text

from tests.web.helpers import Api, body

SCHEDULE = "/modules/schedule/records"


def task(project: str, number: int) -> dict[str, object]:
    return {
        "project": project,
        "wbs_code": f"9.{number}",
        "task": f"Task {number}",
        "planned_start": "2026-03-02",
        "planned_finish": "2026-03-06",
        "status": "in_progress",
    }


def count_recomputations(api: Api) -> None:
    """A row in `el_recomputed` each time a project's `open_tasks` is written."""
    with api.session_factory.begin() as session:
        session.execute(text("CREATE TABLE el_recomputed (n INTEGER)"))
        if session.get_bind().dialect.name == "sqlite":
            session.execute(
                text(
                    "CREATE TRIGGER el_count AFTER UPDATE OF open_tasks ON m_project"
                    " FOR EACH ROW BEGIN INSERT INTO el_recomputed VALUES (1); END"
                )
            )
            return
        session.execute(
            text(
                "CREATE FUNCTION el_count() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN INSERT INTO el_recomputed VALUES (1); RETURN NULL; END $$"
            )
        )
        session.execute(
            text(
                "CREATE TRIGGER el_count AFTER UPDATE OF open_tasks ON m_project"
                " FOR EACH ROW EXECUTE FUNCTION el_count()"
            )
        )


def recomputed(api: Api) -> int:
    with api.session_factory.begin() as session:
        return session.execute(text("SELECT count(*) FROM el_recomputed")).scalar_one()


def open_tasks(api: Api, project: str) -> int:
    return body(api.get(f"/modules/project/records/{project}", as_="planner"))["data"]["open_tasks"]


def test_a_batch_of_changes_recomputes_the_project_once(api: Api) -> None:
    project = api.first("project", as_="planner")["id"]
    made = body(
        api.post(
            f"{SCHEDULE}:batch",
            as_="planner",
            json={"records": [{"data": task(project, n)} for n in range(10)]},
        )
    )["items"]
    before = open_tasks(api, project)
    count_recomputations(api)
    done = [{"id": r["id"], "version": r["version"], "data": {"status": "done"}} for r in made]
    response = api.post(f"{SCHEDULE}:batch", as_="planner", json={"records": done[:5]})
    assert response.status_code == 201, response.text[:300]
    assert open_tasks(api, project) == before - 5
    assert recomputed(api) == 1
    for item in done[5:]:  # one by one: once each
        change = {"version": item["version"], "data": item["data"]}
        assert api.patch(f"{SCHEDULE}/{item['id']}", as_="planner", json=change).status_code == 200
    assert open_tasks(api, project) == before - 10
    assert recomputed(api) == 6
