"""Dates over HTTP: a formula `deadline = date + 14` computed when a tally is written through
the API and again when its date moves, and a state due on that deadline marked overdue in
the inbox and on the record page once the deadline has passed — not before."""

from __future__ import annotations

import json

from flask import Flask

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, Api, body, labour_data, sign_in_as

TALLY = "/modules/labour_tally/records"


def with_deadline() -> str:
    """The bundled pack, one patch version on, with a computed deadline and ISO week on the
    tally, and submitted tallies due on their deadline."""
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    major, minor, patch = pack["version"].split(".")
    pack["version"] = f"{major}.{minor}.{int(patch) + 1}"
    tally = next(m for m in pack["modules"] if m["id"] == "labour_tally")
    fields = tally["schema"]["properties"]
    fields["deadline"] = {"type": "string", "format": "date", "x-formula": "date + 14"}
    fields["week_no"] = {"type": "integer", "x-formula": "week(date)"}
    tally["workflow"]["states"]["submitted"]["due"] = {"field": "deadline"}
    return json.dumps(pack, ensure_ascii=False)


def upgrade(app: Flask) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        import_pack(session, with_deadline())


def test_a_deadline_formula_is_computed_through_the_api(api: Api) -> None:
    upgrade(api.app)
    project = api.first("project")["id"]
    created = api.post(TALLY, as_="foreman", json={"data": labour_data(project)})
    assert created.status_code == 201, created.text
    record = body(created)
    assert (record["data"]["deadline"], record["data"]["week_no"]) == ("2026-03-16", 10)
    change = {"version": record["version"], "data": {"date": "2024-01-31"}}
    moved = api.patch(f"{TALLY}/{record['id']}", as_="foreman", json=change)
    assert moved.status_code == 200, moved.text
    assert body(moved)["data"]["deadline"] == "2024-02-14"
    assert body(moved)["data"]["week_no"] == 5
    states = body(api.get("/modules/labour_tally", as_="foreman"))["workflow"]["states"]
    assert {s["id"]: s["due"] for s in states}["submitted"] == {"field": "deadline"}


def test_a_tally_past_its_deadline_is_overdue(api: Api) -> None:
    upgrade(api.app)
    project = api.first("project")["id"]
    ids = {}
    for day in ("2026-03-02", "2099-03-02"):  # long past, far ahead
        created = body(
            api.post(TALLY, as_="foreman", json={"data": labour_data(project, date=day)})
        )
        fired = api.post(f"{TALLY}/{created['id']}/transitions/submit", as_="foreman", json={})
        assert fired.status_code == 200, fired.text
        ids[day] = created["id"]
    items = body(api.get("/inbox", as_="manager"))["items"]
    overdue = {i["record"]["id"]: i["overdue"] for i in items if i["record"]["id"] in ids.values()}
    assert overdue == {ids["2026-03-02"]: True, ids["2099-03-02"]: False}
    client = api.client
    sign_in_as(client, "manager")
    late = client.get(f"/m/labour_tally/r/{ids['2026-03-02']}")
    ahead = client.get(f"/m/labour_tally/r/{ids['2099-03-02']}")
    assert 'class="overdue-mark"' in late.text
    assert 'class="overdue-mark"' not in ahead.text
