"""Rules a user meets over HTTP: a guard's and a validation's own message in the reader's
language (record page, API), never the expression; a field editable only in some states is
read-only in the form elsewhere and refused by the API."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import (
    ROOT,
    Api,
    body,
    create_record,
    labour_data,
    post,
    project_id,
    sign_in_as,
)

TALLY = "/modules/labour_tally/records"
SHORT_DAY = {"en": "Submit a tally once it has a full day (8 hours).", "zh-CN": "满8小时方可提交。"}
TOO_DEAR = {"en": "A tally above 10,000 needs a contract.", "zh-CN": "点工金额超过一万元须签合同。"}


def with_rules() -> str:
    """The bundled pack, one patch version on, with a guard (a full day) and its message, a
    validation and notes editable only while a tally is rejected."""
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    major, minor, patch = pack["version"].split(".")
    pack["version"] = f"{major}.{minor}.{int(patch) + 1}"
    tally = next(m for m in pack["modules"] if m["id"] == "labour_tally")
    submit = next(t for t in tally["workflow"]["transitions"] if t["id"] == "submit")
    submit["when"], submit["message"] = "hours >= 8", SHORT_DAY
    tally["validations"] = [{"when": "amount <= 10000", "message": TOO_DEAR, "fields": ["items"]}]
    tally["schema"]["properties"]["notes"]["x-editable-in"] = ["rejected"]
    return json.dumps(pack, ensure_ascii=False)


def upgrade(app: Flask) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        import_pack(session, with_rules())


def test_the_api_answers_a_guard_and_a_validation_in_the_callers_language(api: Api) -> None:
    upgrade(api.app)
    project = api.first("project")["id"]
    created = api.post(TALLY, as_="foreman", json={"data": labour_data(project)})
    url = f"{TALLY}/{body(created)['id']}/transitions/submit"
    chinese = {"Accept-Language": "zh-CN"}
    refused = api.post(url, as_="foreman", json={}, headers=chinese)
    assert refused.status_code == 422
    (error,) = body(refused)["errors"]
    assert (error["code"], error["message"]) == ("guard_message", SHORT_DAY["zh-CN"])
    english = body(api.post(url, as_="foreman", json={}))["errors"][0]["message"]
    assert english == SHORT_DAY["en"] and "hours >= 8" not in refused.text
    dear = labour_data(project, items=[{"content": "Crane", "hours": 8, "rate": 1300}])
    too_dear = api.post(TALLY, as_="foreman", json={"data": dear}, headers=chinese)
    assert too_dear.status_code == 422
    assert [(e["path"], e["message"]) for e in body(too_dear)["errors"]] == [
        ("/items", TOO_DEAR["zh-CN"])
    ]
    assert "amount <= 10000" not in too_dear.text


def test_the_record_page_says_the_guards_message_in_chinese(app: Flask, client: FlaskClient):
    upgrade(app)
    record = create_record(app, "labour_tally", "foreman", labour_data(project_id(app)))
    sign_in_as(client, "foreman")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = post(client, f"/m/labour_tally/r/{record}/t/submit")
    assert page.status_code == 422
    assert SHORT_DAY["zh-CN"] in page.text and "hours &gt;= 8" not in page.text


def test_a_field_outside_its_states_is_read_only_in_the_form_and_refused_by_the_api(
    api: Api,
) -> None:
    upgrade(api.app)
    project = api.first("project")["id"]
    record = body(api.post(TALLY, as_="foreman", json={"data": labour_data(project)}))
    url = f"{TALLY}/{record['id']}"
    change = {"version": record["version"], "data": {"notes": "late"}}
    refused = api.patch(url, as_="foreman", json=change, headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 409
    (error,) = body(refused)["errors"]
    assert (error["path"], error["code"]) == ("/notes", "field_state_locked")
    assert "只能在以下状态修改" in error["message"] and "rejected" in error["message"]
    assert body(api.get(url))["data"].get("notes") in (None, "")
    page = api.client
    sign_in_as(page, "foreman")
    form = page.get(f"/m/labour_tally/r/{record['id']}/edit")
    assert form.status_code == 200 and 'name="d.worker"' in form.text
    assert 'name="d.notes"' not in form.text  # shown, not an input: read-only in draft
    assert 'id="field-notes"' in form.text
    allowed = api.patch(
        url, as_="foreman", json={"version": record["version"], "data": {"worker": "Li"}}
    )
    assert allowed.status_code == 200, allowed.text


def test_a_refused_drag_on_the_board_says_the_guards_message(app: Flask, client: FlaskClient):
    upgrade(app)
    record = create_record(app, "labour_tally", "foreman", labour_data(project_id(app)))
    sign_in_as(client, "foreman")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    move = {"record": record, "version": "1", "to": "submitted", "query": ""}
    refused = post(client, "/m/labour_tally/board/move", move)
    assert refused.status_code == 422
    assert SHORT_DAY["zh-CN"] in refused.text and "hours &gt;= 8" not in refused.text
