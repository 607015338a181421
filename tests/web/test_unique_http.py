"""Over HTTP: a taken unique value is refused at its field in the caller's language, and a
record number prints the linked project's code."""

from __future__ import annotations

import json

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, Api, body, labour_data

ZH = {"Accept-Language": "zh-CN"}


def _upgrade(api: Api) -> None:
    """The bundled pack one patch version on: project codes unique, tallies numbered per project."""
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    major, minor, patch = pack["version"].split(".")
    pack["version"] = f"{major}.{minor}.{int(patch) + 1}"
    modules = {m["id"]: m for m in pack["modules"]}
    modules["project"]["schema"]["properties"]["code"]["unique"] = True
    modules["labour_tally"]["numbering"] = "{project.code}-HT-{seq:4}"
    with transaction(api.session_factory) as session:
        import_pack(session, json.dumps(pack, ensure_ascii=False))


def test_a_taken_project_code_is_refused_in_chinese_and_nothing_is_written(api: Api) -> None:
    _upgrade(api)
    existing = api.first("project")
    before = body(api.get("/modules/project/records"))["total"]
    data = {"code": existing["data"]["code"], "name": "Copy", "status": existing["data"]["status"]}
    refused = api.post("/modules/project/records", json={"data": data}, headers=ZH)
    assert refused.status_code == 422
    (error,) = body(refused)["errors"]
    assert (error["path"], error["code"]) == ("/code", "not_unique")
    assert error["message"] == (
        f"{existing['data']['code']} 已被 {existing['number']} 使用：code 不可重复。"
    )
    assert body(api.get("/modules/project/records"))["total"] == before


def test_a_tally_number_starts_with_its_projects_code(api: Api) -> None:
    _upgrade(api)
    project = api.first("project")
    made = [
        api.post(
            "/modules/labour_tally/records",
            as_="foreman",
            json={"data": labour_data(project["id"], worker=name)},
        )
        for name in ("Wang Wei", "Li Na")
    ]
    assert [r.status_code for r in made] == [201, 201]
    code = project["data"]["code"]
    assert [body(r)["number"] for r in made] == [f"{code}-HT-0001", f"{code}-HT-0002"]
