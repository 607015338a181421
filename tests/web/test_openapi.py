"""The OpenAPI 3.1 document: valid, generated from the installed modules, shaped per caller."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.web.helpers import ROOT, Api

TALLY = "/modules/labour_tally/records"


def spec(api: Api, as_: str | None) -> dict[str, Any]:
    response = api.get("/openapi.json", as_=as_)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.get_data())


@pytest.mark.parametrize(
    "who", [None, "admin", "foreman", "manager", "accountant", "planner", "viewer"]
)
def test_the_document_is_valid_openapi_3_1_for_everyone(api: Api, who: str | None) -> None:
    document = spec(api, who)
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def test_a_module_schema_has_real_types_formats_enums_and_read_only_formulas(api: Api) -> None:
    schemas = spec(api, "foreman")["components"]["schemas"]
    data = schemas["labour_tally.Data"]["properties"]
    assert data["date"]["format"] == "date"
    assert data["hours"]["type"] == ["number", "null"] and data["hours"]["readOnly"] is True
    assert data["amount"]["readOnly"] is True and data["amount"]["x-money"] is True
    assert data["amount"]["x-scale"] == 2
    assert "rebar" in data["trade"]["enum"] and data["trade"]["x-enum-titles"]["rebar"]
    assert data["project"]["x-ref"] == "project"
    assert data["meal_allowance"]["type"] == ["boolean", "null"]
    record = schemas["labour_tally.Record"]
    assert record["properties"]["state"]["enum"][:2] == ["draft", "submitted"]
    new = schemas["labour_tally.NewData"]
    assert {"project", "date", "worker", "trade"} <= set(new["required"])
    assert "shift" not in new["required"]  # it has a default
    assert "amount" not in new["properties"] and "hours" not in new["properties"]
    assert new["additionalProperties"] is False
    row = new["properties"]["items"]["items"]
    assert set(row["required"]) == {"content", "hours", "rate"}
    assert "amount" not in row["properties"]  # computed per row
    assert row["properties"]["hours"]["maximum"] == 24
    assert new["properties"]["worker"]["maxLength"] == 40
    changes = schemas["labour_tally.Changes"]
    assert "required" not in changes and "worker" in changes["properties"]


def test_list_operations_carry_their_filter_and_sort_parameters(api: Api) -> None:
    document = spec(api, "manager")
    listing = document["paths"][TALLY]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert {"q", "sort", "page", "per_page"} <= set(params)
    assert {"filter[date]", "filter[date][gte]", "filter[date][lte]", "filter[trade]"} <= set(
        params
    )
    assert params["filter[date][gte]"]["schema"]["format"] == "date"
    assert "rebar" in params["filter[trade]"]["schema"]["enum"]
    assert params["filter[$state]"]["schema"]["enum"][0] == "draft"
    assert {"date", "-date", "-amount"} <= set(params["sort"]["schema"]["enum"])
    assert params["per_page"]["schema"]["maximum"] == 200


def test_transitions_are_operations_for_the_roles_that_take_them(api: Api) -> None:
    foreman = spec(api, "foreman")["paths"]
    submit = foreman[f"{TALLY}/{{id}}/transitions/submit"]["post"]
    assert submit["operationId"] == "labour_tally.transition.submit"
    assert submit["x-formwork-transition"] == {
        "from": ["draft", "rejected"],
        "to": "submitted",
        "roles": ["foreman"],
        "approval": False,
    }
    assert f"{TALLY}/{{id}}/transitions/approve" not in foreman
    manager = spec(api, "manager")["paths"]
    reject = manager[f"{TALLY}/{{id}}/transitions/reject"]["post"]
    assert reject["requestBody"]["required"] is True
    assert reject["requestBody"]["content"]["application/json"]["schema"]["required"] == ["comment"]
    assert "approval" in manager[f"{TALLY}/{{id}}/transitions/approve"]["post"]["description"]


def test_the_document_follows_what_the_caller_may_do_and_see(api: Api) -> None:
    viewer = spec(api, "viewer")
    assert "post" not in viewer["paths"][TALLY]  # a viewer creates nothing
    assert "patch" not in viewer["paths"][f"{TALLY}/{{id}}"]
    assert "amount" not in viewer["components"]["schemas"]["labour_tally.Data"]["properties"]
    planner = spec(api, "planner")
    assert not any(path.startswith("/modules/fund") for path in planner["paths"])
    assert "/packs" not in planner["paths"] and "/webhooks" not in planner["paths"]
    assert planner["info"]["x-formwork-audience"] == "user"
    anonymous = spec(api, None)
    assert anonymous["info"]["x-formwork-audience"] == "anonymous"
    # an anonymous caller learns the routes, never which modules and fields a firm installed
    assert "/modules" in anonymous["paths"] and "/packs" not in anonymous["paths"]
    named = [p for p in anonymous["paths"] if p.startswith("/modules/") and "{module}" not in p]
    assert named == []
    assert anonymous["paths"]["/openapi.json"]["get"]["security"] == [{}, {"bearer": []}]
    assert anonymous["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    bad = api.get("/openapi.json", as_=None, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_titles_follow_the_callers_language(api: Api) -> None:
    chinese = api.get("/openapi.json", as_="foreman", headers={"Accept-Language": "zh-CN"})
    schemas = json.loads(chinese.get_data())["components"]["schemas"]
    assert schemas["labour_tally.Data"]["properties"]["worker"]["title"] == "工人姓名"
    modules = api.get("/modules", as_="foreman", query_string={"lang": "zh-CN"}).json["items"]
    assert "点工" in {m["id"]: m["title"] for m in modules}["labour_tally"]


def test_a_pack_installed_now_is_in_the_next_document(api: Api) -> None:
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    extra = copy.deepcopy(next(m for m in pack["modules"] if m["id"] == "schedule"))
    extra["id"] = "site_diary"
    extra.pop("numbering", None)
    new_pack = {
        "format": pack["format"],
        "id": "diary",
        "version": "1.0.0",
        "title": "Site diary",
        "roles": pack["roles"],
        "modules": [extra],
    }
    dry = api.post("/packs", query_string={"dry_run": "1"}, json=new_pack)
    assert dry.status_code == 200 and dry.json["dry_run"] is True
    assert "/modules/site_diary/records" not in spec(api, "admin")["paths"]
    installed = api.post("/packs", json=new_pack)
    assert installed.status_code == 201, installed.text
    assert installed.json["action"] == "installed"
    assert "/modules/site_diary/records" in spec(api, "admin")["paths"]
    exported = api.get("/packs/diary")
    assert exported.status_code == 200 and exported.json["modules"][0]["id"] == "site_diary"
    assert api.get("/packs/diary", as_="manager").status_code == 403
    assert api.post("/packs", as_="manager", json=new_pack).status_code == 403
    broken = api.post("/packs", json={**new_pack, "version": "2.0.0", "modules": "x"})
    assert broken.status_code == 422 and broken.json["errors"][0]["path"].startswith("/modules")


def test_the_docs_page_serves_swagger_ui_from_the_npm_package(api: Api) -> None:
    page = api.client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert 'data-spec-url="/api/v1/openapi.json"' in page.text
    assert "<script>" not in page.text  # no inline script
    for url in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        if url.startswith("/"):
            with api.client.get(url) as asset:
                assert asset.status_code == 200, url
                assert asset.get_data()
    bundle = next(u for u in re.findall(r'src="([^"]+)"', page.text) if "swagger-ui-bundle" in u)
    with api.client.get(bundle) as response:
        served = response.get_data()
    shipped = (ROOT / "node_modules" / "swagger-ui-dist" / "swagger-ui-bundle.js").read_bytes()
    assert served == shipped
    with api.client.get("/api/docs/assets/swagger-ui.css") as own:  # when no vendor route
        assert own.status_code == 200 and own.mimetype == "text/css"
    assert api.client.get("/api/docs/assets/package.json").status_code == 404
    assert api.client.get("/api/docs/assets/..%2Fpackage.json").status_code == 404
