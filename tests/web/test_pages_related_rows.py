"""A project's related records include the purchases whose lines name it: counted once each,
and "All N →" opens the purchase list filtered by `filter[lines.project]`, showing those N —
the same filter the API takes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.actor import SYSTEM
from engine.db import transaction
from engine.packs import import_pack
from engine.records import create_record
from tests.engine.rows_pack import purchase, purchase_module
from tests.web.helpers import Api, body, errors, project_id
from tests.web.test_pages_related import assert_links_open_lists_of_the_same_count, counts, related


def install_purchases(app: Flask) -> tuple[str, str]:
    """The purchases pack beside the bundled one: two purchases name project 001, one 002."""
    module = purchase_module()
    module.pop("permissions")  # administrators only
    pack = {"format": "formwork.pack/1", "id": "buying", "version": "1.0.0", "title": "Buying"}
    first, second = project_id(app), project_id(app, "PRJ-2026-002")
    with transaction(app.extensions["formwork"].session_factory) as session:
        import_pack(session, {**pack, "modules": [module]})
        for supplier, *lines in (
            ("steel", (first, "10.00"), (first, "5.00")),
            ("sand", (first, "1.00"), (second, "2.00")),
            ("glass", (second, "7.00")),
        ):
            create_record(session, "purchase", purchase(supplier, *lines), SYSTEM)
    return first, second


def test_the_related_section_counts_purchases_by_their_lines_and_opens_their_list(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    first, _ = install_purchases(app)
    sign_in("admin")
    page = related(client, first)
    assert counts(page)["purchase"] == 2 and "Purchases" in page
    assert f"filter%5Blines.project%5D={first}" in page
    assert_links_open_lists_of_the_same_count(client, page)
    listed = client.get(f"/m/purchase?filter[lines.project]={first}").text
    assert "steel" in listed and "sand" in listed and "glass" not in listed


def test_the_api_filters_by_a_child_tables_link(api: Api) -> None:
    first, second = install_purchases(api.app)
    answer = api.get(f"/modules/purchase/records?filter[lines.project]={second}")
    assert answer.status_code == 200, answer.text
    assert sorted(r["data"]["supplier"] for r in body(answer)["items"]) == ["glass", "sand"]
    assert body(answer)["total"] == 2
    refused = api.get(f"/modules/purchase/records?filter[lines.project][gt]={second}")
    assert refused.status_code == 422
    assert [(e["path"], e["code"]) for e in errors(refused)] == [
        ("filter[lines.project][gt]", "operator_not_applicable")
    ]


@pytest.mark.parametrize("key", ["filter[lines.nothing]", "filter[supplier.x]"])
def test_an_unknown_child_field_is_not_filterable(api: Api, key: str) -> None:
    install_purchases(api.app)
    refused = api.get(f"/modules/purchase/records?{key}=1")
    assert refused.status_code == 422 and errors(refused)[0]["code"] == "not_filterable"
