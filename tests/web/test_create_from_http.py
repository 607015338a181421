"""Over HTTP: a buyer orders from an approved purchase request — the button on the request's
page, the new order's form pre-filled with its lines, the saved order linking back — in
English and Chinese; a requester, who may not create orders, sees no button; the API creates
from a request too; and a create-from mapping to a missing field is refused at import."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.actor import SYSTEM
from engine.db import transaction
from engine.packs import import_pack
from engine.records import create_record
from engine.workflow import apply_transition
from tests.engine.create_from_pack import module, purchasing_pack
from tests.web.helpers import PASSWORD, Api, body, post, sign_in_as

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _purchasing(app: Flask) -> dict[str, Any]:
    """The purchasing pack, a buyer, a requester and an approved request of two lines."""
    with transaction(app.extensions["formwork"].session_factory) as session:
        import_pack(session, purchasing_pack())
        accounts.create_user(session, "wang", PASSWORD, roles=["buyer"])
        accounts.create_user(session, "li", PASSWORD, roles=["requester"])
        accounts.create_user(session, "zhou", PASSWORD, roles=[])
        site = create_record(session, "site", {"name": "Tower", "manager": "zhou"}, SYSTEM)
        rebar = create_record(
            session, "material", {"name": "Rebar", "unit": "t", "price": 4200}, SYSTEM
        )
        sand = create_record(
            session, "material", {"name": "Sand", "unit": "m3", "price": 95.5}, SYSTEM
        )
        li = accounts.actor_of(accounts.get_user(session, "li"))
        data = {
            "site": site.id,
            "supplier": "Hebei Steel",
            "lines": [{"material": rebar.id, "qty": 2}, {"material": sand.id, "qty": 10}],
        }
        request = create_record(session, "purchase_request", data, li)
        apply_transition(session, "purchase_request", request.id, "approve", li)
        tokens = {n: accounts.create_token(session, n, "tests") for n in ("wang", "li")}
    return {"request": request.id, "rebar": rebar.id, "sand": sand.id, "tokens": tokens}


def _signed_in(client: FlaskClient, name: str) -> FlaskClient:
    assert sign_in_as(client, name).status_code == 302
    return client


@pytest.mark.parametrize(("headers", "button"), [(EN, "Order from this request"), (ZH, "据此下单")])
def test_a_buyer_orders_from_an_approved_request_and_the_order_links_back(
    app: Flask, client: FlaskClient, headers: dict[str, str], button: str
) -> None:
    world = _purchasing(app)
    _signed_in(client, "wang")
    page = client.get(f"/m/purchase_request/r/{world['request']}", headers=headers)
    new = f"/m/purchase_order/new?from=purchase_request:{world['request']}"
    assert page.status_code == 200 and button in page.text
    link = re.search(r'href="([^"]+)"[^>]*>' + re.escape(button), page.text)
    assert link and link.group(1).replace("%3A", ":") == new, page.text
    form = client.get(new, headers=headers)
    assert form.status_code == 200
    values = dict(re.findall(r'name="(d\.[\w.]+)"[^>]*?value="([^"]*)"', form.text))
    assert values["d.supplier"] == "Hebei Steel"
    assert (values["d.lines.0.qty"], values["d.lines.0.unit"], values["d.lines.0.price"]) == (
        "2.00",
        "t",
        "4200.00",
    )
    assert (values["d.lines.1.qty"], values["d.lines.1.unit"]) == ("10.00", "m3")
    assert re.search(rf'value="{world["request"]}"[^>]*selected', form.text)  # the link back
    sent = {**values, "d.site": _selected(form.text, "d.site"), "d.request": world["request"]}
    sent |= {f"d.lines.{i}.material": world[m] for i, m in enumerate(("rebar", "sand"))}
    saved = post(client, "/m/purchase_order/new", sent, headers=headers)
    assert saved.status_code == 303, saved.text
    order = client.get(saved.headers["Location"], headers=headers)
    assert "Hebei Steel" in order.text and "4,200.00" in order.text and "955.00" in order.text
    assert f"/m/purchase_request/r/{world['request']}" in order.text  # the request, linked


def test_choosing_a_lines_material_fills_its_unit_and_price(
    app: Flask, client: FlaskClient
) -> None:
    world = _purchasing(app)
    _signed_in(client, "wang")
    form = client.get("/m/purchase_order/new")
    assert 'hx-vals=\'{"_action": "fill:lines:0"}\'' in form.text  # the material input asks
    sent = {"d.lines.0.material": world["sand"], "d.lines.0.qty": "4", "d.lines.0.price": "80"}
    table = post(client, "/m/purchase_order/rows", {**sent, "_action": "fill:lines:0"})
    assert table.status_code == 200, table.text
    values = dict(re.findall(r'name="(d\.[\w.]+)"[^>]*?value="([^"]*)"', table.text))
    assert (values["d.lines.0.unit"], values["d.lines.0.price"]) == ("m3", "95.50")
    assert values["d.lines.0.qty"] == "4"  # what the user typed stays


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]+)"[^>]*selected', select.group(0))
    assert chosen, name
    return chosen.group(1)


def test_a_requester_who_may_not_order_sees_no_button(app: Flask, client: FlaskClient) -> None:
    world = _purchasing(app)
    _signed_in(client, "li")
    page = client.get(f"/m/purchase_request/r/{world['request']}", headers=EN)
    assert page.status_code == 200 and "Approved" in page.text
    assert "Order from this request" not in page.text and "/m/purchase_order/new" not in page.text
    assert (
        client.get(f"/m/purchase_order/new?from=purchase_request:{world['request']}").status_code
        == 403
    )


def test_the_api_creates_an_order_from_a_request(api: Api) -> None:
    world = _purchasing(api.app)
    api.tokens.update(world["tokens"])
    url = f"/modules/purchase_order/records?from=purchase_request:{world['request']}"
    made = api.post(url, as_="wang", json={"data": {"supplier": "Tangshan Steel"}})
    assert made.status_code == 201, made.text
    order = body(made)["data"]
    assert (order["request"], order["supplier"], order["manager"]) == (
        world["request"],
        "Tangshan Steel",
        "zhou",
    )
    assert [(r["qty"], r["price"]) for r in order["lines"]] == [(2, 4200), (10, 95.5)]
    refused = api.post(url, as_="li", json={"data": {}})
    assert refused.status_code == 403
    spec = body(api.get("/openapi.json", as_="wang"))
    create = spec["paths"]["/modules/purchase_order/records"]["post"]
    assert [p["name"] for p in create["parameters"]] == ["from"]


def test_a_create_from_mapping_to_a_missing_field_is_refused_at_import(api: Api) -> None:
    pack = purchasing_pack()
    module(pack, "purchase_order")["create_from"][0]["map"]["vendor"] = "supplier"
    refused = api.post("/packs?dry_run=1", json=copy.deepcopy(pack), headers=ZH)
    assert refused.status_code == 422
    (error,) = body(refused)["errors"]
    assert (error["path"], error["code"]) == (
        "/modules/3/create_from/0/map/vendor",
        "create_from_unknown_field",
    )
    assert "vendor" in error["message"] and "不存在" in error["message"]
    assert api.get("/modules/purchase_order").status_code == 404  # nothing installed
