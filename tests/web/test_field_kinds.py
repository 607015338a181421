"""Field kinds as objects: the query, the OpenAPI document and the list page agree on each
kind's filter operators, and a kind added the registry's way (rating) works end to end."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.db import transaction
from engine.kinds import KINDS, OPERATORS
from engine.packs import import_pack
from engine.records.query import filter_kind
from tests.web.helpers import PASSWORD, Api, body, errors, make_api, post

# One field of every kind that has a column, the new rating among them.
FIELDS: dict[str, dict[str, Any]] = {
    "note": {"type": "string", "maxLength": 200},
    "count": {"type": "integer"},
    "cost": {"type": "number", "x-scale": 2},
    "done": {"type": "boolean"},
    "day": {"type": "string", "format": "date"},
    "moment": {"type": "string", "format": "date-time"},
    "grade": {"enum": ["a", "b", "c"]},
    "tags": {"type": "array", "items": {"enum": ["x", "y", "z"]}, "uniqueItems": True},
    "site": {"type": "string", "x-ref": "site"},
    "inspector": {"type": "string", "x-user": True},
    "photo": {"type": "string", "x-file": True},
    "score": {"type": "integer", "x-rating": 5, "title": {"en": "Score", "zh-CN": "评分"}},
}
PACK: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "kinds",
    "version": "1.0.0",
    "title": "Kinds",
    "modules": [
        {
            "id": "site",
            "title": "Site",
            "title_field": "name",
            "schema": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
        {
            "id": "inspection",
            "title": "Inspection",
            "schema": {"type": "object", "properties": FIELDS},
            "ui": {
                "list": {"columns": ["note", "score"], "filters": ["$number", *FIELDS]},
                "layout": [{"title": "Main", "fields": ["note", "score"]}],
            },
        },
    ],
}


@pytest.fixture(name="api")
def kinds_api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    made = make_api(database_url, tmp_path)
    with transaction(made.session_factory) as session:
        import_pack(session, copy.deepcopy(PACK))
    yield made
    made.app.extensions["formwork"].engine.dispose()


def _documented_operators(api: Api) -> dict[str, set[str]]:
    spec = body(api.get("/openapi.json"))
    listing = spec["paths"]["/modules/inspection/records"]["get"]["parameters"]
    found: dict[str, set[str]] = {}
    for param in listing:
        name = param["name"]
        if not name.startswith("filter["):
            continue
        field, _, rest = name[len("filter[") :].partition("]")
        found.setdefault(field, set()).add(rest.strip("[]") or "eq")
    return found


SAMPLES = {
    "note": "n",
    "count": "1",
    "cost": "1.5",
    "done": "true",
    "day": "2026-05-04",
    "moment": "2026-05-04T08:00:00Z",
    "grade": "a",
    "tags": "x",
    "site": "0" * 32,
    "inspector": "admin",
    "photo": "p",
    "score": "3",
    "$number": "x",
}


def _sample(name: str, op: str) -> str:
    value = SAMPLES[name]
    if op == "empty":  # asks whether there is a value at all
        return "true"
    return f"{value},{value}" if op == "between" else value


def test_query_openapi_and_list_page_accept_the_same_operators_per_kind(api: Api) -> None:
    catalog_module = api.app.extensions["formwork"]
    documented = _documented_operators(api)
    page = api.app.test_client()
    post(page, "/sign-in", {"name": "admin", "password": PASSWORD})
    with transaction(catalog_module.session_factory) as session:
        from engine.catalog import load_catalog

        module = load_catalog(session).module("inspection")
    for name in ["$number", *FIELDS]:
        kind, _field = filter_kind(module, name)
        assert documented[name] == set(kind.operators), name
        for op in OPERATORS:
            key = f"filter[{name}]" if op == "eq" else f"filter[{name}][{op}]"
            query = {key: _sample(name, op)}
            answer = api.get("/modules/inspection/records", query_string=query)
            shown = page.get("/m/inspection", query_string=query)
            wanted = 200 if op in kind.operators else 422
            assert (answer.status_code, shown.status_code) == (wanted, wanted), (name, op)
            if wanted == 422:
                assert [e["path"] for e in errors(answer)] == [key]


def test_every_filter_control_writes_only_operators_of_its_kind() -> None:
    from web.pages.lists import WIDGET_OPERATORS

    for kind in KINDS.values():
        if kind.operators:
            assert set(WIDGET_OPERATORS[kind.filter_widget]) <= set(kind.operators), kind.name


def test_an_order_against_no_value_is_refused_not_a_crash(api: Api) -> None:
    for key in ("filter[score][gt]", "filter[day][lte]", "filter[inspector][lt]"):
        answer = api.get("/modules/inspection/records", query_string={key: ""})
        assert answer.status_code == 422, key
        assert [e["path"] for e in errors(answer)] == [key]
    between = api.get("/modules/inspection/records", query_string={"filter[count][between]": ",4"})
    assert between.status_code == 422


def test_a_rating_is_stored_filtered_and_refused_outside_its_stars(api: Api) -> None:
    made = [
        api.post("/modules/inspection/records", json={"data": {"note": n, "score": s}})
        for n, s in (("low", 1), ("mid", 3), ("top", 5))
    ]
    assert [r.status_code for r in made] == [201, 201, 201]
    assert body(made[1])["data"]["score"] == 3
    high = api.get("/modules/inspection/records", query_string={"filter[score][gte]": "3"})
    assert sorted(r["data"]["note"] for r in body(high)["items"]) == ["mid", "top"]
    for bad, code in (
        (0, "minimum"),
        (6, "maximum"),
        ("four", "not_an_integer"),
        (2.5, None),
        (True, None),
    ):
        refused = api.post("/modules/inspection/records", json={"data": {"score": bad}})
        assert refused.status_code == 422, bad
        assert [e["path"] for e in errors(refused)] == ["/score"]
        assert code is None or errors(refused)[0]["code"] == code
    chinese = api.post(
        "/modules/inspection/records",
        json={"data": {"score": 6}},
        headers={"Accept-Language": "zh-CN"},
    )
    assert "5" in errors(chinese)[0]["message"] and "maximum" not in errors(chinese)[0]["message"]
    listed = body(api.get("/modules/inspection/records"))
    assert listed["total"] == 3  # nothing of the refused ones was written
    wrong_filter = api.get("/modules/inspection/records", query_string={"filter[score]": "9"})
    assert wrong_filter.status_code == 422


def test_the_openapi_document_describes_a_rating_as_bounded_stars(api: Api) -> None:
    spec = body(api.get("/openapi.json"))
    score = spec["components"]["schemas"]["inspection.NewData"]["properties"]["score"]
    assert score["minimum"] == 1 and score["maximum"] == 5 and "integer" in score["type"]


def test_a_rating_has_a_star_widget_and_a_star_cell_on_the_pages(api: Api) -> None:
    page = api.app.test_client()
    post(page, "/sign-in", {"name": "admin", "password": PASSWORD})
    form = page.get("/m/inspection/new")
    assert form.status_code == 200
    assert form.text.count('name="d.score"') == 6  # "no rating" and one to five stars
    assert 'value="5"' in form.text and "★★★★★" in form.text
    saved = post(page, "/m/inspection/new", {"d.note": "page", "d.score": "4"})
    assert saved.status_code in (200, 302, 303)
    listing = page.get("/m/inspection")
    assert "★★★★☆ 4/5" in listing.text
    refused = post(page, "/m/inspection/new", {"d.note": "bad", "d.score": "7"})
    assert refused.status_code == 422
    assert body(api.get("/modules/inspection/records"))["total"] == 1


def test_x_rating_needs_an_integer_field(api: Api) -> None:
    from engine.errors import DefinitionError

    pack = copy.deepcopy(PACK)
    pack["id"], pack["modules"] = "wrong", copy.deepcopy(pack["modules"])
    for module in pack["modules"]:
        module["id"] = "w_" + module["id"]
    pack["modules"][1]["schema"]["properties"] = {
        "score": {"type": "string", "x-rating": 5},
        "site": {"type": "string", "x-ref": "w_site"},
    }
    pack["modules"][1]["ui"] = {}
    with pytest.raises(DefinitionError) as refused, transaction(api.session_factory) as session:
        import_pack(session, pack)
    assert any(p.path.endswith("/x-rating") for p in refused.value.problems)
