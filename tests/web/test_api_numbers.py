"""Huge numbers through the API: refused at once with their place, nothing written.

Before the bound, `int()` of `1e1000000` held a worker for about a minute per request.
"""

from __future__ import annotations

from tests.web.helpers import Api, body, errors, labour_data, paths

TALLY = "/modules/labour_tally/records"
HUGE = "1e1000000"


def _project(api: Api) -> str:
    projects = body(api.get("/modules/project/records", as_="admin"))["items"]
    return projects[0]["id"] if projects else ""


def _count(api: Api) -> int:
    return body(api.get(TALLY, as_="admin", query_string={"per_page": 1}))["total"]


def test_a_huge_json_number_is_refused_with_its_line_and_column(api: Api) -> None:
    before = _count(api)
    raw = '{"data": {"worker": "Li",\n "items": [{"hours": ' + HUGE + "}]}}"
    response = api.post(
        TALLY, as_="foreman", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    message = errors(response)[0]["message"]
    assert HUGE in message and "out of range" in message and "line 2, column 22" in message
    long_number = "1" + "0" * 150 + ".5"
    response = api.post(
        TALLY,
        as_="foreman",
        data='{"data": {"x": ' + long_number + "}}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400 and "longer than 100" in errors(response)[0]["message"]
    assert _count(api) == before


def test_huge_numbers_as_text_are_named_by_path_every_one(api: Api) -> None:
    before = _count(api)
    data = labour_data(_project(api))
    data["items"][0]["hours"] = HUGE
    data["items"][1]["rate"] = "-" + HUGE
    response = api.post(TALLY, as_="foreman", json={"data": data})
    assert response.status_code == 422
    assert {"/items/0/hours", "/items/1/rate"} <= paths(response)
    assert _count(api) == before


def test_a_huge_number_in_a_filter_is_a_422_naming_the_filter(api: Api) -> None:
    response = api.get(TALLY, as_="manager", query_string={"filter[hours][gte]": HUGE})
    assert response.status_code == 422
    assert paths(response) == {"filter[hours][gte]"}
    assert "too large" in errors(response)[0]["message"]
