"""Over HTTP: a deal's form picks several consulted users, its list shows and filters them
("me"), signing it waits in both the commercial and the finance inbox, and the Chinese
record page says which group has approved and which is still waiting."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from engine.packs import import_pack
from engine.records import create_record
from engine.workflow import apply_transition
from tests.engine.people_pack import people_pack
from tests.web.helpers import PASSWORD, post, sign_in_as

ZH = {"Accept-Language": "zh-CN"}


def _people(app: Flask) -> dict[str, Any]:
    with transaction(app.extensions["formwork"].session_factory) as session:
        import_pack(session, people_pack())
        accounts.create_user(session, "lee", PASSWORD, roles=["clerk"])
        accounts.create_user(session, "kim", PASSWORD, roles=["commercial"])
        accounts.create_user(session, "fay", PASSWORD, roles=["finance"])
        lee = accounts.actor_of(accounts.get_user(session, "lee"))
        kim = accounts.actor_of(accounts.get_user(session, "kim"))
        deal = create_record(session, "deal", {"name": "Tower", "consulted": ["fay"]}, lee)
        apply_transition(session, "deal", deal.id, "submit", lee)
        apply_transition(session, "deal", deal.id, "sign", kim)
    return {"deal": deal.id}


def _signed_in(client: FlaskClient, name: str) -> FlaskClient:
    assert sign_in_as(client, name).status_code == 302
    return client


def test_the_form_picks_several_users_and_the_list_shows_and_filters_them(
    app: Flask, client: FlaskClient
) -> None:
    _people(app)
    _signed_in(client, "lee")
    form = client.get("/m/deal/new")
    assert form.status_code == 200
    boxes = re.findall(r'type="checkbox" name="d\.consulted" value="([^"]+)"', form.text)
    assert {"kim", "fay", "lee"} <= set(boxes)
    saved = post(client, "/m/deal/new", {"d.name": "Bridge", "d.consulted": ["kim", "fay"]})
    assert saved.status_code in (302, 303), saved.text
    refused = post(client, "/m/deal/new", {"d.name": "Pier", "d.consulted": ["kim", "ghost"]})
    assert refused.status_code == 422 and "ghost" in refused.text
    _signed_in(client, "kim")
    mine = client.get("/m/deal?filter[consulted][contains]=me")
    assert "Bridge" in mine.text and "Tower" not in mine.text
    fays = client.get("/m/deal?filter[consulted][contains]=fay")
    assert "Bridge" in fays.text and "Tower" in fays.text


def test_signing_waits_in_both_inboxes_and_the_page_names_the_waiting_group(
    app: Flask, client: FlaskClient
) -> None:
    world = _people(app)
    _signed_in(client, "fay")
    assert "Your approval" in client.get("/inbox").text  # finance still has to sign
    page = client.get(f"/m/deal/r/{world['deal']}", headers=ZH)
    groups = re.search(r'<ul class="vote-groups small">(.*?)</ul>', page.text, re.S)
    assert groups, page.text
    lines = [
        re.sub(r"<[^>]+>|\s+", "", li) for li in re.findall(r"<li>(.*?)</li>", groups[1], re.S)
    ]
    assert lines == ["商务:已同意", "财务:等待中（0/1）"]
    _signed_in(client, "kim")
    assert "Your approval" not in client.get("/inbox").text  # commercial has signed


def test_a_new_deal_waits_for_a_vote_in_both_groups_inboxes(
    app: Flask, client: FlaskClient
) -> None:
    _people(app)
    with transaction(app.extensions["formwork"].session_factory) as session:
        lee = accounts.actor_of(accounts.get_user(session, "lee"))
        deal = create_record(session, "deal", {"name": "Pier"}, lee)
        apply_transition(session, "deal", deal.id, "submit", lee)
    for name in ("kim", "fay"):
        _signed_in(client, name)
        inbox = client.get("/inbox", headers=ZH).text
        row = re.search(rf"{deal.id}.*?</tr>", inbox, re.S)
        assert row and "待你审批" in row[0], name


def test_the_api_takes_a_list_of_users_names_an_unknown_one_and_describes_the_field(
    app: Flask, client: FlaskClient
) -> None:
    _people(app)
    with transaction(app.extensions["formwork"].session_factory) as session:
        token = accounts.create_token(session, "lee", "tests")
    auth = {"Authorization": f"Bearer {token}"}
    url = "/api/v1/modules/deal/records"
    made = client.post(url, json={"data": {"name": "Quay", "consulted": ["kim"]}}, headers=auth)
    assert made.status_code == 201 and made.get_json()["data"]["consulted"] == ["kim"]
    bad = {"data": {"name": "Dock", "consulted": ["kim", "ghost"]}}
    refused = client.post(url, json=bad, headers=auth)
    assert refused.status_code == 422
    [error] = refused.get_json()["errors"]
    assert (error["path"], error["code"]) == ("/consulted/1", "no_active_user")
    assert "ghost" in error["message"]
    spec = client.get("/api/v1/openapi.json", headers=auth).get_json()
    consulted = spec["components"]["schemas"]["deal.NewData"]["properties"]["consulted"]
    assert "array" in consulted["type"] and consulted["uniqueItems"] is True
    assert consulted["items"]["type"] == "string"
