"""What a batch answers: every written record as GET gives it, or with `Prefer: return=minimal`
only ids, versions and numbers — and a refused batch writes nothing either way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine import accounts
from engine.abilities import abilities
from engine.catalog import load_catalog
from engine.db import transaction
from engine.exactjson import dumps, record_document
from engine.records import ListQuery, list_records
from tests.web.helpers import Api, body, errors, labour_data
from web.jsonio import fast_dumps, record_json

TALLY = "/modules/labour_tally/records"
BATCH = "/modules/labour_tally/records:batch"
MINIMAL = {"Prefer": "return=minimal"}


def listed(api: Api, path: str = TALLY, as_: str = "admin") -> dict[str, dict[str, Any]]:
    """Every record of the list, by id."""
    items = body(api.get(path, as_=as_, query_string={"per_page": 200}))["items"]
    return {item["id"]: item for item in items}


def mixed_batch(api: Api) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A tally written earlier, and a batch of three new tallies and a change of it."""
    project = api.first("project", as_="foreman")["id"]
    existing = body(api.post(TALLY, as_="foreman", json={"data": labour_data(project)}))
    records = [
        {"data": labour_data(project, worker="Li Na")},
        {"id": existing["id"], "version": 1, "data": {"worker": "Renamed", "shift": "night"}},
        {"data": labour_data(project, worker="Zhao Lei", trade="concrete")},
        {"data": labour_data(project, worker="Chen Jie", shift="night")},
    ]
    return existing, records


def test_the_full_answer_is_each_record_as_get_reads_it(api: Api) -> None:
    existing, records = mixed_batch(api)
    response = api.post(BATCH, as_="foreman", json={"records": records})
    assert response.status_code == 201, response.text[:500]
    assert "Preference-Applied" not in response.headers
    items = body(response)["items"]
    assert [i["data"]["worker"] for i in items] == ["Li Na", "Renamed", "Zhao Lei", "Chen Jie"]
    assert items[1]["id"] == existing["id"] and items[1]["version"] == 2
    for item in items:
        read = api.get(f"{TALLY}/{item['id']}", as_="foreman")
        assert body(read) == item
        assert read.get_data(as_text=True) == dumps(item)  # the same text, byte for byte
    assert items[0]["titles"]["project"] and items[0]["data"]["amount"] == Decimal("288.75")


def test_the_full_answer_of_records_with_rollups_and_formulas(api: Api) -> None:
    """Projects: rollups and a formula over them, read back as GET reads them."""
    projects = [
        {"data": {"code": f"PRJ-BATCH-{n}", "name": f"Batch {n}", "budget": "1000.00"}}
        for n in range(3)
    ]
    response = api.post("/modules/project/records:batch", json={"records": projects})
    assert response.status_code == 201, response.text[:500]
    for item in body(response)["items"]:
        assert body(api.get(f"/modules/project/records/{item['id']}")) == item
        assert item["data"]["labour_cost"] == 0 and "remaining_budget" in item["data"]


def test_return_minimal_answers_ids_versions_and_numbers_of_what_was_written(api: Api) -> None:
    existing, records = mixed_batch(api)
    response = api.post(BATCH, as_="foreman", json={"records": records}, headers=MINIMAL)
    assert response.status_code == 201, response.text[:500]
    assert response.headers["Preference-Applied"] == "return=minimal"
    items = body(response)["items"]
    assert all(set(item) == {"id", "version", "number"} for item in items)
    assert items[1]["id"] == existing["id"] and items[1]["version"] == 2
    assert [item["version"] for item in items] == [1, 2, 1, 1]
    written = listed(api, as_="foreman")
    assert len(written) == 4  # the earlier tally and three new ones, nothing else
    assert {item["id"] for item in items} | {existing["id"]} == set(written)
    for item in items:
        record = written[item["id"]]
        assert (item["version"], item["number"]) == (record["version"], record["number"])
    assert written[items[3]["id"]]["data"]["worker"] == "Chen Jie"


def test_the_preference_is_read_as_rfc_7240_writes_it(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    batch = {"records": [{"data": labour_data(project)}]}
    for header in ('respond-async, RETURN="Minimal"; x=1', "wait=5,return=minimal"):
        answer = api.post(BATCH, as_="foreman", json=batch, headers={"Prefer": header})
        assert set(body(answer)["items"][0]) == {"id", "version", "number"}, header
    whole = api.post(BATCH, as_="foreman", json=batch, headers={"Prefer": "return=representation"})
    assert body(whole)["items"][0]["data"]["worker"] == "Wang Wei"


def test_a_refused_batch_writes_nothing_whatever_the_answer_preferred(api: Api) -> None:
    existing, records = mixed_batch(api)
    records[2] = {"data": labour_data(records[0]["data"]["project"], trade="astronaut")}
    before = listed(api)
    for headers in ({}, MINIMAL):
        response = api.post(BATCH, as_="foreman", json={"records": records}, headers=headers)
        assert response.status_code == 422
        assert [(e["index"], e["path"]) for e in errors(response)] == [(2, "/trade")]
        assert "Preference-Applied" not in response.headers
        assert listed(api) == before
    stale: list[dict[str, Any]] = [{"data": labour_data(records[0]["data"]["project"])}]
    stale.append({"id": existing["id"], "version": 7, "data": {"worker": "X"}})
    response = api.post(BATCH, as_="foreman", json={"records": stale}, headers=MINIMAL)
    assert response.status_code == 409 and errors(response)[0]["index"] == 1
    assert listed(api) == before


def test_a_retry_must_prefer_what_the_first_request_preferred(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    batch = {"records": [{"data": labour_data(project)}, {"data": labour_data(project)}]}
    key = {"Idempotency-Key": "import-2026-03-02-minimal"}
    first = api.post(BATCH, as_="foreman", json=batch, headers={**key, **MINIMAL})
    retry = api.post(BATCH, as_="foreman", json=batch, headers={**key, **MINIMAL})
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_data() == first.get_data()
    assert retry.headers["Preference-Applied"] == "return=minimal"
    other = api.post(BATCH, as_="foreman", json=batch, headers=key)
    assert other.status_code == 422 and "different request" in errors(other)[0]["message"]
    assert len(listed(api, as_="foreman")) == 2


def test_the_fast_writer_writes_what_the_exact_writer_writes() -> None:
    moment = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    values: list[Any] = [
        {"amount": Decimal("342.00"), "rate": Decimal("-0"), "big": Decimal("1E+3")},
        {"at": moment, "naive": dt.datetime(2026, 3, 2, 0, 30), "day": dt.date(2026, 3, 2)},
        ["中文", "line\nbreak", "\u2028", 1.5, 7, True, None, (1, 2)],
        {"looks like a mark": "\x00\x01342.00", "real": Decimal("1.10")},  # the exact writer
    ]
    for value in values:
        assert fast_dumps(value) == dumps(value)
    assert fast_dumps({"x": "\x00\x01342.00"}) == '{"x":"\\u0000\\u0001342.00"}'
    for bad in ({"nan": Decimal("NaN")}, {"set": {1}}, float("inf")):
        try:
            fast_dumps(bad)
        except (TypeError, ValueError) as error:
            assert "cannot be written as JSON" in str(error)
        else:
            raise AssertionError(f"{bad!r} was written")


def test_the_api_writes_records_as_webhooks_do(api: Api) -> None:
    """The API's record writer, planned once per module, against the engine's own."""
    project = api.first("project", as_="foreman")["id"]
    tallies = [{"data": labour_data(project, worker=f"Worker {n}")} for n in range(3)]
    assert api.post(BATCH, as_="foreman", json={"records": tallies}).status_code == 201
    with transaction(api.session_factory) as session:
        catalog = load_catalog(session)
        for name in ("admin", "foreman", "viewer"):
            reader = accounts.actor_of(accounts.get_user(session, name))
            for module in catalog.modules.values():
                if not abilities(reader, module).read:
                    continue
                page = list_records(session, module.id, reader, ListQuery(per_page=50))
                for record in page.items:
                    assert record_json(module, record) == record_document(module, record)


def test_the_openapi_document_offers_the_minimal_answer(api: Api) -> None:
    paths = body(api.get("/openapi.json", as_="foreman"))["paths"]
    (batch,) = [
        p["post"] for path, p in paths.items() if path.endswith("labour_tally/records:batch")
    ]
    assert "Prefer" in [parameter["name"] for parameter in batch["parameters"]]
    created = batch["responses"]["201"]
    assert "Preference-Applied" in created["headers"]
    shapes = created["content"]["application/json"]["schema"]["properties"]["items"]["items"]
    minimal = shapes["anyOf"][1]
    assert set(minimal["properties"]) == {"id", "version", "number"}
