"""Odd input that used to reach the database or `int()`: now a located 4xx, nothing written.

Superscript digits pass `str.isdigit()` but not `int()`; NUL characters cannot be stored in
PostgreSQL text; lone surrogates cannot be encoded at all; IPv6 forms can carry a private
IPv4 address inside. Each is refused where it comes in, on both backends.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.exactjson import dumps
from tests.web.helpers import Api, body, errors, labour_data, paths, post, sign_in_as

TALLY = "/modules/labour_tally/records"
ODD_NUMBERS = ["²", "⁵", "١٢", "1_0", "9" * 5000, "-1", "1e3", True]


def raw_json(value: Any) -> str:
    """JSON text with NUL and lone surrogates written as escapes, as a client sends them."""
    return dumps(value).replace("\x00", "\\u0000").replace("\ud800", "\\ud800")


def send(api: Api, method: str, url: str, value: Any, as_: str = "foreman") -> Any:
    return api.call(
        method, url, as_=as_, data=raw_json(value), headers={"Content-Type": "application/json"}
    )


@pytest.fixture
def tally(api: Api) -> dict[str, Any]:
    project = api.first("project", as_="foreman")["id"]
    return body(api.post(TALLY, as_="foreman", json={"data": labour_data(project)}))


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_versions_that_are_not_plain_digits_are_422(api: Api, tally: dict, odd: Any) -> None:
    url = f"{TALLY}/{tally['id']}"
    change = send(api, "PATCH", url, {"version": odd, "data": {"notes": "x"}})
    assert change.status_code == 422 and paths(change) == {"/version"}
    assert len(errors(change)[0]["message"]) < 200  # the value is not echoed back in full
    removal = api.delete(url, as_="foreman", query_string={"version": str(odd)})
    assert removal.status_code == 422 and paths(removal) == {"version"}
    assert body(api.get(url, as_="foreman")) == tally


@pytest.mark.parametrize("odd", ["²", "⁵", "١٢", "9" * 5000, "0", "501"])
def test_delivery_log_limits_that_are_not_plain_digits_are_422(api: Api, odd: str) -> None:
    hook = api.post("/webhooks", json={"url": "https://hooks.example.com/x", "events": ["created"]})
    url = f"/webhooks/{body(hook)['id']}/deliveries"
    answer = api.get(url, query_string={"limit": odd})
    assert answer.status_code == 422 and paths(answer) == {"limit"}


@pytest.mark.parametrize("bad", ["a\x00b", "\x00", "\ud800", "ok\ud800"])
def test_nul_and_lone_surrogates_in_a_body_are_named(api: Api, tally: dict, bad: str) -> None:
    before = body(api.get(TALLY, as_="admin"))["total"]
    data = {**labour_data(tally["data"]["project"]), "worker": bad, "notes": "fine"}
    created = send(api, "POST", TALLY, {"data": data})
    assert created.status_code == 422 and paths(created) == {"/data/worker"}
    keyed = send(api, "POST", TALLY, {"data": {**data, "worker": "Li", bad: 1}})
    assert keyed.status_code == 422 and len(paths(keyed)) == 1
    batch = send(api, "POST", f"{TALLY}:batch", {"records": [{"data": data}]})
    assert batch.status_code == 422 and paths(batch) == {"/records/0/data/worker"}
    url = f"{TALLY}/{tally['id']}"
    changed = send(api, "PATCH", url, {"version": tally["version"], "data": {"notes": bad}})
    assert changed.status_code == 422 and paths(changed) == {"/data/notes"}
    comment = send(api, "POST", f"{url}/transitions/submit", {"comment": bad})
    assert comment.status_code == 422 and paths(comment) == {"/comment"}
    hook = send(api, "POST", "/webhooks", {"url": f"https://{bad}.example/", "events": []}, "admin")
    assert hook.status_code == 422 and paths(hook) == {"/url"}
    assert body(api.get(TALLY, as_="admin"))["total"] == before
    assert body(api.get(url, as_="foreman")) == tally


@pytest.mark.parametrize("key", ["q", "sort", "filter[worker]", "filter[worker][contains]"])
def test_a_nul_in_a_query_value_is_422_naming_it(api: Api, key: str) -> None:
    answer = api.get(f"{TALLY}?{key}=a%00b", as_="manager")
    assert answer.status_code == 422 and paths(answer) == {key}
    assert api.get(f"/reports/labour_by_trade?{key}=%00", as_="manager").status_code == 422


def test_a_nul_in_an_id_is_not_found(api: Api, tally: dict) -> None:
    for url in (
        f"{TALLY}/a%00b",
        f"{TALLY}/{tally['id']}%00/history",
        "/modules/labour%00tally/records",
        "/packs/construction%00",
    ):
        answer = api.get(url, as_="admin")
        assert answer.status_code == 404 and answer.mimetype == "application/json", url


def test_a_nul_in_a_page_address_or_form_is_a_4xx_page(api: Api) -> None:
    client = api.app.test_client()
    sign_in_as(client, "foreman")
    for address in ("/m/labour_tally?q=a%00b", "/healthz?x=%00", "/api/docs?x=%00", "/inbox?p=%00"):
        assert client.get(address).status_code == 400, address
    assert client.get("/m/labour_tally/r/a%00b").status_code == 404
    form = post(client, "/m/labour_tally/new", {"d.worker": "a\x00b"})
    assert form.status_code == 422
    assert "Some values were not accepted" in form.text


@pytest.mark.parametrize(
    "host",
    [
        "[::127.0.0.1]",  # IPv4-compatible
        "[::10.0.0.5]",
        "[::ffff:0:127.0.0.1]",  # IPv4-translated (SIIT)
        "[64:ff9b::127.0.0.1]",  # NAT64, well-known prefix
        "[64:ff9b::192.168.1.20]",
        "[64:ff9b:1::a00:5]",  # NAT64 for local use
        "[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
        "[2002:a9fe:a9fe::1]",  # 6to4 of 169.254.169.254
    ],
)
def test_ipv6_forms_carrying_a_private_ipv4_address_are_refused(api: Api, host: str) -> None:
    answer = api.post("/webhooks", json={"url": f"http://{host}/hook", "events": ["created"]})
    assert answer.status_code == 422 and paths(answer) == {"/url"}
    assert "allow_private" in errors(answer)[0]["message"]
    assert body(api.get("/webhooks"))["items"] == []


@pytest.mark.parametrize("host", ["[64:ff9b::8.8.8.8]", "[2002:808:808::1]"])
def test_ipv6_forms_carrying_a_public_ipv4_address_are_accepted(api: Api, host: str) -> None:
    answer = api.post("/webhooks", json={"url": f"http://{host}/hook", "events": ["created"]})
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("odd", ["²", "⁵", "9" * 5000])
def test_page_forms_with_odd_versions_and_row_numbers_are_400(
    api: Api, tally: dict, odd: str
) -> None:
    client = api.app.test_client()
    sign_in_as(client, "foreman")
    url = f"/m/labour_tally/r/{tally['id']}"
    assert post(client, f"{url}/t/submit", {"_version": odd}).status_code == 400
    assert post(client, f"{url}/delete", {"_version": odd}).status_code == 400
    assert post(client, f"{url}/edit", {"_version": odd, "worker": "Li"}).status_code == 400
    rows = post(client, "/m/labour_tally/rows", {"_action": f"remove:items:{odd}"})
    assert rows.status_code == 400
    assert body(api.get(f"{TALLY}/{tally['id']}", as_="foreman")) == tally


def _pack(pack_id: str, modules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": "formwork.pack/1",
        "id": pack_id,
        "version": "1.0.0",
        "title": "T",
        "modules": modules,
    }


def _module(module_id: str, **fields: Any) -> dict[str, Any]:
    properties = {"note": {"type": "string"}, **fields}
    return {"id": module_id, "title": "M", "schema": {"type": "object", "properties": properties}}


def test_a_module_id_that_spells_another_modules_child_table_is_named(api: Api) -> None:
    packs = body(api.get("/packs"))
    clash = api.post("/packs", json=_pack("other", [_module("labour_tally__items")]))
    assert clash.status_code == 422 and paths(clash) == {"/modules/0/id"}
    assert "m_labour_tally__items" in errors(clash)[0]["message"]
    rows = {"type": "array", "items": {"type": "object", "properties": {"c": {"type": "string"}}}}
    inside = _pack("twins", [_module("ab__b", c=rows), _module("ab", b__c=rows)])
    same_pack = api.post("/packs", json=inside)
    assert same_pack.status_code == 422
    assert paths(same_pack) == {"/modules/1/schema/properties/b__c"}
    assert body(api.get("/packs")) == packs
    assert (
        api.post("/packs", json=_pack("fine", [_module("labour_tally_items")])).status_code == 201
    )


def test_oversized_input_is_not_echoed_back_in_full(api: Api, tally: dict) -> None:
    data = labour_data(tally["data"]["project"])
    row = {"content": "c", "hours": 1, "rate": "1"}
    huge = "x" * 100_000
    for over in ({"items": [row] * 5000}, {"trade": huge}, {"worker": huge}, {huge: 1}):
        answer = api.post(TALLY, as_="foreman", json={"data": {**data, **over}})
        assert answer.status_code == 422 and len(answer.get_data()) < 2_000, list(over)
    rows = api.post(TALLY, as_="foreman", json={"data": {**data, "items": [row] * 5000}})
    items = next(e for e in errors(rows) if e["path"] == "/items")
    assert (items["code"], items["message"]) == ("maxItems", "at most 20 rows are allowed")
    batch = api.post(
        f"{TALLY}:batch", as_="foreman", json={"records": [{"data": {"trade": huge}}] * 50}
    )
    assert batch.status_code == 422 and len(batch.get_data()) < 50 * 1_000
    missing = api.get(f"{TALLY}/{'x' * 7000}", as_="foreman")
    assert missing.status_code == 404 and len(missing.get_data()) < 1_000


def test_a_nul_on_an_address_that_serves_nothing_is_still_404(api: Api) -> None:
    client = api.app.test_client()
    sign_in_as(client, "admin")
    assert client.get("/no/such/page?q=%00").status_code == 404
    assert api.get("/no/such/route?q=%00").status_code in (404, 422)  # the API has a catch-all


def test_the_engine_refuses_a_nul_in_text_whatever_path_it_came_by(api: Api, tally: dict) -> None:
    from engine import accounts
    from engine.db import transaction
    from engine.errors import ValidationFailed
    from engine.records import create_record

    data = {**labour_data(tally["data"]["project"]), "worker": "a\x00b"}
    with transaction(api.session_factory) as session:
        foreman = accounts.actor_of(accounts.get_user(session, "foreman"))
        with pytest.raises(ValidationFailed) as refused:
            create_record(session, "labour_tally", data, foreman)
    assert [p.path for p in refused.value.problems] == ["/worker"]
    assert "NUL" in refused.value.problems[0].message
