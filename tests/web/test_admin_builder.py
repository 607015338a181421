"""The module builder in the browser's place: an admin starts a module, adds fields from the
palette, reorders them, sees the real form in the preview, downloads the pack and publishes
it through the import's dry run; an installed pack is changed and published as 1.x.0."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine.db import transaction
from engine.definitions import load_pack
from engine.models import PackVersion
from tests.bundled import CURRENT, NEXT
from tests.web.helpers import create_record, post

SignIn = Callable[[str], FlaskClient]
ZH = {"Accept-Language": "zh-CN"}


def draft_url(response: Any) -> str:
    location = response.headers["Location"]
    match = re.search(r"/admin/builder/d/[0-9a-f]+", location)
    assert match, location
    return match.group(0)


def start_blank(client: FlaskClient) -> str:
    response = post(
        client,
        "/admin/builder/new",
        {
            "pack": "_new",
            "pack_id": "works",
            "pack_title_en": "Works",
            "module_id": "visit",
            "title_en": "Site visit",
            "title_zh": "巡检",
            "numbering": "SV-{seq:4}",
        },
    )
    assert response.status_code == 303, response.text
    return draft_url(response)


def add(client: FlaskClient, url: str, kind: str, label: str, **extra: str) -> str:
    response = post(client, f"{url}/fields", {"kind": kind, "label_en": label, **extra})
    assert response.status_code == 303, response.text
    return re.search(r"field=([a-z0-9_]+)", response.headers["Location"]).group(1)


def save(client: FlaskClient, url: str, name: str, **form: str) -> Any:
    return post(client, f"{url}/fields/{name}", form)


def build_visit(client: FlaskClient) -> str:
    url = start_blank(client)
    add(client, url, "text", "Inspector")
    add(client, url, "integer", "Visitors")
    trade = add(client, url, "choice", "Trade")
    assert (
        save(client, url, trade, label_en="Trade", choices="civil | Civil | 土建\nmep").status_code
        == 303
    )
    items = add(client, url, "table", "Items")
    add(client, url, "decimal", "Qty", table=items)
    add(client, url, "money", "Price", table=items)
    line = add(client, url, "formula", "Line", table=items)
    assert (
        save(client, url, line, label_en="Line", formula="qty * price", table=items).status_code
        == 303
    )
    total = add(client, url, "money", "Total")
    save(client, url, total, label_en="Total")
    return url


def test_an_admin_builds_a_module_from_blank_and_publishes_it(sign_in: SignIn, app: Flask):
    client = sign_in("admin")
    url = build_visit(client)
    page = client.get(url)
    assert page.status_code == 200
    text = page.text
    # the palette has every kind; the preview is the real form with its inputs
    for title in ("Child table", "Money", "Attachment", "Link to a record", "Yes / no"):
        assert title in text
    assert 'name="d.inspector"' in text and 'name="d.visitors"' in text
    assert 'id="table-items"' in text
    # reorder: visitors first
    response = post(
        client, f"{url}/order", {"order": ["visitors", "inspector", "trade", "items", "total"]}
    )
    assert response.status_code == 303
    preview = client.get(f"{url}/preview").text
    assert preview.index('name="d.visitors"') < preview.index('name="d.inspector"')
    # the JSON download is a valid pack
    download = client.get(f"{url}/download")
    assert "attachment" in download.headers["Content-Disposition"]
    pack = load_pack(json.loads(download.data))
    assert [f.name for f in pack.module_map["visit"].fields][:2] == ["visitors", "inspector"]
    # publish: the dry run first, nothing written, then confirm
    review = post(client, f"{url}/publish")
    assert review.status_code == 200, review.text
    assert "1.0.0" in review.text and "Nothing has been written yet" in review.text
    with transaction(app.extensions["formwork"].session_factory) as session:
        assert session.get(PackVersion, ("works", "1.0.0")) is None
    done = post(client, f"{url}/publish/confirm")
    assert done.status_code == 303
    assert client.get("/m/visit").status_code == 200
    assert client.get("/admin/builder/").text.count("/admin/builder/d/") == 0  # the draft is gone
    with transaction(app.extensions["formwork"].session_factory) as session:
        assert session.get(PackVersion, ("works", "1.0.0")).installed_by == "admin"


def test_bad_input_is_refused_in_the_admins_language_and_nothing_is_lost(sign_in: SignIn):
    client = sign_in("admin")
    url = start_blank(client)
    name = add(client, url, "text", "<b>Code</b>")
    assert name == "b_code_b"
    page = client.get(f"{url}?field={name}").text
    assert "&lt;b&gt;Code&lt;/b&gt;" in page and "<b>Code</b>" not in page
    taken = post(client, f"{url}/fields", {"kind": "text", "label_en": "x", "id": name})
    assert taken.status_code == 422 and "already a field here" in taken.text
    hint = client.get(f"{url}/check-id", query_string={"id": name}).text
    assert "already a field here" in hint
    assert "b_code_b_2" in client.get(f"{url}/check-id", query_string={"label_en": "B code b"}).text
    shown = client.get(f"{url}?field={name}").text
    assert 'value="&lt;b&gt;Code&lt;/b&gt;"' in shown  # the settings form holds the label
    bad = save(
        client, url, name, label_en="Code", label_zh="编号", pattern="([a-", max_length="1e400"
    )
    assert bad.status_code == 422
    assert 'value="编号"' in bad.text and 'value="([a-"' in bad.text  # what was typed is kept
    assert "is not a valid pattern" in bad.text and "([a-" in bad.text
    huge = post(client, f"{url}/fields/{name}", {"label_en": "Code", "max_length": "99999999999"})
    assert huge.status_code == 422 and "is too large" in huge.text
    zh = post(client, f"{url}/fields/{name}", {"label_en": "", "label_zh": ""}, headers=ZH)
    assert zh.status_code == 422 and "至少" in zh.text
    # the draft is intact: the field is still there with its label
    assert "&lt;b&gt;Code&lt;/b&gt;" in client.get(f"{url}?field={name}").text


def test_an_installed_pack_gets_a_field_published_as_the_next_minor_version(
    sign_in: SignIn, app: Flask
):
    client = sign_in("admin")
    record = create_record(app, "project", "admin", {"code": "PRJ-9", "name": "Tower"})
    response = post(client, "/admin/builder/packs/construction", {"module": "project"})
    url = draft_url(response)
    add(client, url, "date", "Handover")
    review = post(client, f"{url}/publish")
    assert NEXT in review.text and "handover" in review.text
    assert post(client, f"{url}/publish/confirm").status_code == 303
    shown = client.get(f"/m/project/r/{record}")
    assert shown.status_code == 200 and "Tower" in shown.text


def test_removing_a_field_with_values_is_refused_at_publish_with_the_count(
    sign_in: SignIn, app: Flask
):
    client = sign_in("admin")
    create_record(app, "project", "admin", {"code": "PRJ-9", "name": "Tower"})
    url = draft_url(post(client, "/admin/builder/packs/construction", {"module": "project"}))
    page = client.get(f"{url}?field=name").text
    assert "record holds a value" in page or "records hold a value" in page
    assert post(client, f"{url}/fields/name/remove").status_code == 303
    refused = post(client, f"{url}/publish")
    assert refused.status_code == 422
    assert "Nothing was published" in refused.text
    zh = post(client, f"{url}/publish", headers=ZH)
    assert zh.status_code == 422 and "草稿" in zh.text


def test_a_foreman_cannot_reach_the_builder(sign_in: SignIn):
    client = sign_in("foreman")
    assert client.get("/admin/builder/").status_code == 403
    assert client.get("/admin/builder/new").status_code == 403


def test_the_builder_speaks_chinese(sign_in: SignIn):
    client = sign_in("admin")
    url = start_blank(client)
    page = client.get(url, headers=ZH).text
    assert "子表" in page and "金额" in page
    taken = post(client, f"{url}/fields", {"kind": "nope", "label_en": "x"}, headers=ZH)
    assert taken.status_code == 422


def test_the_preview_computes_formulas_for_sample_values(sign_in: SignIn):
    client = sign_in("admin")
    url = build_visit(client)
    answer = post(
        client,
        f"{url}/preview",
        {"d.inspector": "Li", "d.items.0.qty": "2", "d.items.0.price": "3.50"},
    )
    assert answer.status_code == 200
    assert re.search(r'id="calc-items-0-line"[^>]*>7\.00<', answer.text), answer.text


def test_an_invalid_draft_is_kept_and_its_problems_point_at_the_field(sign_in: SignIn):
    client = sign_in("admin")
    url = start_blank(client)
    add(client, url, "link", "Project")  # no module to link to yet: not a valid pack
    page = client.get(url, headers=ZH)
    assert page.status_code == 200
    assert "builder-problems" in page.text and "<code>project</code>" in page.text
    assert "/admin/builder/d/" in client.get("/admin/builder/").text  # listed to resume
    assert post(client, f"{url}/publish").status_code == 422


def test_publishing_over_a_newer_version_is_refused_with_409(sign_in: SignIn):
    client = sign_in("admin")
    first = draft_url(post(client, "/admin/builder/packs/construction", {"module": "project"}))
    second = draft_url(post(client, "/admin/builder/packs/construction", {"module": "project"}))
    add(client, second, "date", "Handover")
    assert post(client, f"{second}/publish/confirm").status_code == 303
    add(client, first, "text", "Client ref")
    refused = post(client, f"{first}/publish")
    assert refused.status_code == 409
    assert NEXT in refused.text and CURRENT in refused.text


def test_a_draft_edited_after_its_review_is_not_published_unseen(sign_in: SignIn):
    client = sign_in("admin")
    url = start_blank(client)
    add(client, url, "text", "Place")
    review = post(client, f"{url}/publish")
    stamp = re.search(r'name="reviewed" value="([^"]+)"', review.text).group(1)
    add(client, url, "text", "Weather")  # edited in another tab after the review
    refused = post(client, f"{url}/publish/confirm", {"reviewed": stamp})
    assert refused.status_code == 409 and "review it again" in refused.text
    assert client.get("/m/visit").status_code == 404


def test_a_formula_is_edited_with_the_expression_editor_checking_the_draft(sign_in: SignIn):
    client = sign_in("admin")
    url = build_visit(client)
    page = client.get(f"{url}?field=line&table=items").text
    assert "data-expression-editor" in page and 'name="expr_definition"' in page
    assert 'name="formula"' in page and "qty * price" in page
    checked = post(
        client,
        "/admin/builder/expression/check",
        {
            "formula": "qty * nope",
            "expr_input": "formula",
            "expr_where": "formula",
            "expr_module": "visit",
            "expr_table": "items",
            "expr_field": "line",
            "expr_definition": html.unescape(
                re.search(r'name="expr_definition" value="([^"]*)"', page).group(1)
            ),
        },
    )
    assert checked.status_code == 200 and "nope" in checked.text
