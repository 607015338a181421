"""Bad input to the API: always a 4xx with a reason in JSON, and nothing written."""

from __future__ import annotations

import pytest

from tests.web.helpers import Api, body, errors, labour_data, paths

TALLY = "/modules/labour_tally/records"


def count(api: Api) -> int:
    return body(api.get(TALLY, as_="admin", query_string={"per_page": 1}))["total"]


def send(api: Api, raw: bytes | str, content_type: str = "application/json", url: str = TALLY):  # type: ignore[no-untyped-def]
    return api.post(url, as_="foreman", data=raw, headers={"Content-Type": content_type})


def test_malformed_json_names_where_parsing_stopped(api: Api) -> None:
    before = count(api)
    response = send(api, '{"data": {"worker": "Li",\n "trade": rebar}}')
    assert response.status_code == 400
    message = errors(response)[0]["message"]
    assert "line 2, column 11" in message and "character 36" in message
    assert count(api) == before


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"data": {"worker": NaN}}', "NaN is not a JSON number"),
        ('{"data": {"hours": Infinity}}', "Infinity is not a JSON number"),
        ('{"data": {"worker": "a", "worker": "b"}}', "written twice"),
        (b'{"data": {"worker": "\xff"}}', "not UTF-8"),
        ("[" * 200 + "]" * 200, "deeper than"),
        ('{"data": {"hours": 1' + "0" * 5000 + "}}", "invalid JSON"),
    ],
)
def test_json_that_is_not_plain_json_is_refused(api: Api, raw: str | bytes, reason: str) -> None:
    response = send(api, raw)
    assert response.status_code == 400
    assert reason in errors(response)[0]["message"]


def test_a_body_that_is_not_json_is_415(api: Api) -> None:
    response = send(api, "worker=Li", "application/x-www-form-urlencoded")
    assert response.status_code == 415 and "application/json" in errors(response)[0]["message"]
    assert send(api, '{"data": {}}', "text/plain").status_code == 415


def test_a_20_megabyte_body_is_413_and_nothing_is_written(api: Api) -> None:
    before = count(api)
    huge = '{"data": {"notes": "' + "x" * (20 * 1024 * 1024) + '"}}'
    response = send(api, huge)
    assert response.status_code == 413
    assert "larger than the limit" in errors(response)[0]["message"]
    assert count(api) == before


def test_wrong_shapes_are_422(api: Api) -> None:
    assert send(api, "[1, 2]").status_code == 422
    unknown = send(api, '{"data": {}, "extra": 1}')
    assert unknown.status_code == 422 and paths(unknown) == {"/extra"}
    not_object = send(api, '{"data": "worker"}')
    assert not_object.status_code == 422
    assert send(api, "").status_code == 400  # a create needs a body


def test_ten_thousand_filter_clauses_are_refused_before_any_query(api: Api) -> None:
    many = [("filter[worker]", f"w{i}") for i in range(10_000)]
    response = api.get(TALLY, as_="manager", query_string=many)
    assert response.status_code == 414  # the address alone is past the limit
    assert "longer than 8000 bytes" in errors(response)[0]["message"]
    some = [("filter[worker]", f"w{i}") for i in range(51)]
    response = api.get(TALLY, as_="manager", query_string=some)
    assert response.status_code == 422
    assert "at most 50" in errors(response)[0]["message"]
    distinct = [(f"filter[f{i}]", "x") for i in range(51)]
    assert api.get(TALLY, as_="manager", query_string=distinct).status_code == 422


def test_unknown_and_hidden_fields_in_filters_and_sorts_are_named(api: Api) -> None:
    unknown = api.get(TALLY, as_="viewer", query_string={"filter[salary]": "1"})
    assert unknown.status_code == 422 and paths(unknown) == {"filter[salary]"}
    hidden = api.get(TALLY, as_="viewer", query_string={"filter[amount][gte]": "1"})
    assert hidden.status_code == 422 and paths(hidden) == {"filter[amount][gte]"}
    assert "'amount'" in errors(hidden)[0]["message"]
    sort = api.get(TALLY, as_="viewer", query_string={"sort": "-amount"})
    assert sort.status_code == 422 and "'amount'" in errors(sort)[0]["message"]
    assert api.get(TALLY, as_="manager", query_string={"sort": "-amount"}).status_code == 200
    bad_op = api.get(TALLY, as_="manager", query_string={"filter[date][like]": "x"})
    assert bad_op.status_code == 422 and "unknown operator" in errors(bad_op)[0]["message"]
    bad_value = api.get(TALLY, as_="manager", query_string={"filter[date]": "yesterday"})
    assert bad_value.status_code == 422 and paths(bad_value) == {"filter[date]"}
    paging = api.get(TALLY, as_="manager", query_string={"per_page": "100000", "page": "x"})
    assert paging.status_code == 422 and "page" in paths(paging)


@pytest.mark.parametrize(
    "crafted",
    [
        "labour_tally; DROP TABLE users; --",
        "labour_tally' OR '1'='1",
        "m_labour_tally",
        "../packs",
    ],
)
def test_identifiers_crafted_as_sql_find_nothing(api: Api, crafted: str) -> None:
    before = count(api)
    for response in (
        api.get(f"/modules/{crafted}/records", as_="admin"),
        api.get(f"{TALLY}/{crafted}", as_="admin"),
        api.get(TALLY, as_="admin", query_string={f"filter[{crafted}]": "1"}),
        api.get(TALLY, as_="admin", query_string={"sort": crafted}),
        api.post(f"/modules/{crafted}/records", as_="admin", json={"data": {}}),
        api.get(TALLY, as_="admin", query_string={"q": crafted}),
    ):
        assert response.status_code in (200, 404, 422), response.text
        assert response.mimetype == "application/json"
    assert count(api) == before
    assert api.get("/modules", as_="admin").status_code == 200


def test_unknown_paths_and_methods_answer_in_json(api: Api) -> None:
    missing = api.get("/nothing/here")
    assert missing.status_code == 404 and errors(missing)[0]["path"] == ""
    wrong = api.call("PUT", f"{TALLY}/x")
    assert wrong.status_code == 405
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}
    assert body(wrong)["errors"][0]["message"]
    assert api.call("DELETE", "/modules").status_code == 405
    assert api.delete("/webhooks/99999999999999").status_code == 404  # not a database error
    assert api.get("/webhooks/2147483648/deliveries").status_code == 404


def test_an_over_long_record_id_or_comment_is_refused(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    record = body(api.post(TALLY, as_="foreman", json={"data": labour_data(project)}))
    long = api.post(
        f"{TALLY}/{record['id']}/transitions/submit", as_="foreman", json={"comment": 5}
    )
    assert long.status_code == 422 and paths(long) == {"/comment"}
    assert api.get(f"{TALLY}/{'x' * 5000}", as_="foreman").status_code == 404
