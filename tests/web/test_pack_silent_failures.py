"""Over HTTP: a pack with a silent failure is refused at its key in the admin's language, and a
required yes/no field takes only yes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.web.helpers import Api, body, errors
from tests.web.test_admin_packs import upload

HAN = re.compile(r"[\u4e00-\u9fff]")
ZH = {"Accept-Language": "zh-CN"}


def _pack(when: str) -> dict[str, Any]:
    return {
        "format": "formwork.pack/1",
        "id": "permits",
        "version": "1.0.0",
        "title": "Permits",
        "modules": [
            {
                "id": "permit",
                "title": "Hot-work permit",
                "schema": {
                    "type": "object",
                    "required": ["site", "safety_briefed"],
                    "properties": {
                        "site": {"type": "string"},
                        "safety_briefed": {"type": "boolean"},
                    },
                },
                "workflow": {
                    "initial": "draft",
                    "states": {"draft": {}, "approved": {"final": True}},
                    "transitions": [
                        {"id": "approve", "from": "draft", "to": "approved", "when": when}
                    ],
                },
            }
        ],
    }


def test_a_misspelled_state_is_refused_in_chinese_at_the_guard(api: Api) -> None:
    before = body(api.get("/packs"))
    answer = api.post("/packs", json=_pack("$state != 'aproved'"), headers=ZH)
    assert answer.status_code == 422
    [problem] = errors(answer)
    assert problem["path"] == "/modules/0/workflow/transitions/0/when"
    assert problem["code"] == "expression_unknown_state"
    assert HAN.search(problem["message"]) and "'approved'" in problem["message"]
    assert body(api.get("/packs")) == before


def test_a_required_yes_no_field_must_be_yes_on_every_write(api: Api) -> None:
    assert api.post("/packs", json=_pack("$state == 'draft'")).status_code in (200, 201)
    records = "/modules/permit/records"
    refused = api.post(
        records, json={"data": {"site": "Tower", "safety_briefed": False}}, headers=ZH
    )
    assert refused.status_code == 422
    assert [(e["path"], e["code"]) for e in errors(refused)] == [
        ("/safety_briefed", "required_yes")
    ]
    assert HAN.search(errors(refused)[0]["message"])
    made = api.post(records, json={"data": {"site": "Tower", "safety_briefed": True}})
    assert made.status_code == 201, made.text
    record = body(made)
    change = {"version": record["version"], "data": {"safety_briefed": False}}
    unticked = api.patch(f"{records}/{record['id']}", json=change)
    assert unticked.status_code == 422
    assert [e["code"] for e in errors(unticked)] == ["required_yes"]
    batch = {"records": [{"data": {"site": "Yard", "safety_briefed": False}}]}
    assert api.post(f"{records}:batch", json=batch).status_code == 422
    assert body(api.get(records))["total"] == 1


def test_the_import_page_shows_the_refused_guard_in_chinese(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    page = upload(sign_in("admin"), _pack("$state in ['draft', 'aproved']"), headers=ZH)
    assert page.status_code == 422
    assert "<code>expression_unknown_state</code>" in page.text
    assert "<code>/modules/0/workflow/transitions/0/when</code>" in page.text
    assert "不是 permit 的状态" in page.text and "approved" in page.text
