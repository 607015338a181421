"""Bulk writes: up to 1,000 records in one transaction, all or nothing, safe to retry."""

from __future__ import annotations

from decimal import Decimal

from tests.web.helpers import Api, body, errors, labour_data

TALLY = "/modules/labour_tally/records"
BATCH = "/modules/labour_tally/records:batch"


def total(api: Api, as_: str = "admin") -> int:
    return body(api.get(TALLY, as_=as_, query_string={"per_page": 1}))["total"]


def test_a_thousand_records_in_one_request(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    records = [{"data": labour_data(project, worker=f"Worker {i}")} for i in range(1000)]
    response = api.post(BATCH, as_="foreman", json={"records": records})
    assert response.status_code == 201, response.text[:500]
    items = body(response)["items"]
    assert len(items) == 1000
    assert [r["data"]["worker"] for r in items[:3]] == ["Worker 0", "Worker 1", "Worker 2"]
    assert items[999]["data"]["amount"] == Decimal("288.75")
    assert total(api, "foreman") == 1000
    too_many = api.post(BATCH, as_="foreman", json={"records": records + records[:1]})
    assert too_many.status_code == 422 and errors(too_many)[0]["path"] == "/records"


def test_one_bad_item_writes_nothing_and_is_named_by_index(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    existing = body(api.post(TALLY, as_="foreman", json={"data": labour_data(project)}))
    before = total(api)
    records = [
        {"data": labour_data(project)},
        {"id": existing["id"], "version": 1, "data": {"worker": "Renamed"}},
        {"data": labour_data(project, trade="astronaut")},
        {"data": labour_data(project, date="someday")},
    ]
    response = api.post(BATCH, as_="foreman", json={"records": records})
    assert response.status_code == 422
    assert [(e["index"], e["path"]) for e in errors(response)] == [(2, "/trade"), (3, "/date")]
    assert total(api) == before
    unchanged = body(api.get(f"{TALLY}/{existing['id']}", as_="foreman"))
    assert unchanged["data"]["worker"] == "Wang Wei" and unchanged["version"] == 1


def test_creates_and_updates_together(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    first = body(api.post(TALLY, as_="foreman", json={"data": labour_data(project)}))
    response = api.post(
        BATCH,
        as_="foreman",
        json={
            "records": [
                {"id": first["id"], "version": 1, "data": {"worker": "Renamed"}},
                {"data": labour_data(project, worker="New one")},
            ]
        },
    )
    assert response.status_code == 201
    items = body(response)["items"]
    assert items[0]["id"] == first["id"] and items[0]["version"] == 2
    assert items[0]["data"]["worker"] == "Renamed" and items[1]["data"]["worker"] == "New one"


def test_a_stale_item_is_a_409_for_the_whole_batch(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    first = body(api.post(TALLY, as_="foreman", json={"data": labour_data(project)}))
    response = api.post(
        BATCH,
        as_="foreman",
        json={
            "records": [
                {"data": labour_data(project)},
                {"id": first["id"], "version": 5, "data": {"worker": "X"}},
            ]
        },
    )
    assert response.status_code == 409
    assert errors(response)[0]["index"] == 1
    assert total(api, "foreman") == 1


def test_malformed_items_are_422_before_anything_runs(api: Api) -> None:
    response = api.post(
        BATCH,
        as_="foreman",
        json={"records": [5, {"data": {}, "colour": "red"}, {"id": "x", "data": {}}, {}]},
    )
    assert response.status_code == 422
    assert [(e["index"], e["path"]) for e in errors(response)] == [
        (0, ""),
        (1, "/colour"),
        (2, "/version"),
        (3, "/data"),
    ]
    assert api.post(BATCH, as_="foreman", json={"records": []}).status_code == 422
    assert api.post(BATCH, as_="viewer", json={"records": [{"data": {}}]}).status_code == 403


def test_an_idempotency_key_makes_a_retry_safe(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    payload = {"records": [{"data": labour_data(project)}, {"data": labour_data(project)}]}
    key = {"Idempotency-Key": "erp-import-2026-03-02-001"}
    first = api.post(BATCH, as_="foreman", json=payload, headers=key)
    assert first.status_code == 201
    retry = api.post(BATCH, as_="foreman", json=payload, headers=key)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_data() == first.get_data()
    assert total(api, "foreman") == 2  # written once
    other = {"records": [{"data": labour_data(project, worker="Someone else")}]}
    reused = api.post(BATCH, as_="foreman", json=other, headers=key)
    assert reused.status_code == 422 and "different request" in errors(reused)[0]["message"]
    assert total(api, "foreman") == 2
    # keys belong to their user: the same key from another user is a new request
    manager = api.post(
        "/modules/schedule/records:batch",
        as_="manager",
        json={"records": [{"data": {"bad": 1}}]},
        headers=key,
    )
    assert manager.status_code == 422 and errors(manager)[0]["index"] == 0
    assert (
        api.post(BATCH, as_="foreman", json=payload, headers={"Idempotency-Key": "ä"}).status_code
        == 422
    )


def test_a_failed_request_does_not_use_up_its_key(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    key = {"Idempotency-Key": "retry-me"}
    bad = {"records": [{"data": labour_data(project, trade="astronaut")}]}
    assert api.post(BATCH, as_="foreman", json=bad, headers=key).status_code == 422
    good = {"records": [{"data": labour_data(project)}]}
    assert api.post(BATCH, as_="foreman", json=good, headers=key).status_code == 201
