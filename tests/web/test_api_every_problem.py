"""One answer names every problem of a request: malformed values and broken bounds together.

Before, a request with a wrong scale in one row and a negative rate in another was answered
with the wrong scale only; the client fixed it, sent again, and only then heard of the rate.
"""

from __future__ import annotations

from tests.web.helpers import Api, body, labour_data, paths

TALLY = "/modules/labour_tally/records"


def _bad_rows(data: dict) -> dict:
    data["items"][0]["hours"] = "4.555"  # malformed: more places than the field's scale
    data["items"][1]["rate"] = "-3"  # well-formed, below the minimum of 0
    return data


def test_a_new_record_hears_of_the_wrong_scale_the_bound_and_the_missing_field(api: Api) -> None:
    project = api.first("project")["id"]
    before = body(api.get(TALLY, as_="admin"))["total"]
    data = _bad_rows(labour_data(project))
    del data["worker"]
    response = api.post(TALLY, as_="foreman", json={"data": data})
    assert response.status_code == 422
    assert paths(response) == {"/items/0/hours", "/items/1/rate", "/worker"}
    assert body(api.get(TALLY, as_="admin"))["total"] == before


def test_a_change_hears_of_every_problem_and_leaves_the_record_as_it_was(api: Api) -> None:
    project = api.first("project")["id"]
    created = body(api.post(TALLY, as_="foreman", json={"data": labour_data(project)}))
    data = _bad_rows(labour_data(project))
    data["worker"] = "x" * 41  # longer than the field's maxLength of 40
    url = f"{TALLY}/{created['id']}"
    response = api.patch(url, as_="foreman", json={"version": created["version"], "data": data})
    assert response.status_code == 422
    assert paths(response) == {"/items/0/hours", "/items/1/rate", "/worker"}
    assert body(api.get(url, as_="foreman")) == created
