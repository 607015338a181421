"""The builder's bad input, each caught where the admin makes it, with the reason in the
admin's language and nothing published: a label with markup (kept as inert text on every
page), an expression with code, a field id that collides, a cycle of formulas, a workflow
with an unreachable state, and a publish that would strand records. Each refusal is checked
against the database: the installed packs, their versions and every module row unchanged."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select, text

from engine.db import transaction
from engine.models import InstalledPack, PackVersion
from tests.web.helpers import create_record, post
from tests.web.test_admin_builder import ZH, add, draft_url, save, start_blank

SignIn = Callable[[str], FlaskClient]
LANGUAGES = [pytest.param({}, id="en"), pytest.param(ZH, id="zh-CN")]
MARKUP = ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "{{ 7*7 }}")


def said(headers: dict[str, str], en: str, zh: str) -> str:
    return zh if headers else en


def snapshot(app: Flask) -> dict[str, Any]:
    """What publishing could change: installed packs, their versions, every module's rows."""
    with transaction(app.extensions["formwork"].session_factory) as session:
        packs = {
            p.id: (p.version, json.dumps(p.definition, sort_keys=True))
            for p in session.scalars(select(InstalledPack))
        }
        versions = session.scalar(select(func.count()).select_from(PackVersion))
        tables = [t for t in inspect(session.connection()).get_table_names() if t.startswith("m_")]
        rows = {t: session.execute(text(f'SELECT * FROM "{t}" ORDER BY 1')).all() for t in tables}
    return {"packs": packs, "versions": versions, "rows": rows}


def problems_of(response: Any) -> str:
    """The text of the problem lists on a page (unescaped, tags gone)."""
    found = re.findall(r'class="[^"]*(?:builder-problems|wf-problems)[^"]*".*?</(?:div|ul)>',
                       response.text, re.S)  # fmt: skip
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", " ".join(found))))


def published_visit(client: FlaskClient, app: Flask) -> str:
    """The module `visit` published with a workflow, one record submitted and one a draft;
    the record id of the submitted one."""
    url = start_blank(client)
    add(client, url, "text", "Place")
    add(client, url, "integer", "Visitors")
    assert post(client, f"{url}/workflow/start").status_code == 303
    assert post(client, f"{url}/publish/confirm").status_code == 303
    submitted = create_record(app, "visit", "admin", {"place": "Gate", "visitors": 3})
    create_record(app, "visit", "admin", {"place": "Yard"})
    assert post(client, f"/m/visit/r/{submitted}/t/submit").status_code in (302, 303)
    return submitted


def edit_visit(client: FlaskClient) -> str:
    return draft_url(post(client, "/admin/builder/packs/works", {"module": "visit"}))


# -- 1. a label with markup ------------------------------------------------------------------


def _inert(page: str) -> None:
    assert "<img src=x" not in page and "<script>alert" not in page
    assert ">49<" not in page and "&gt;49" not in page


def test_a_label_with_markup_is_kept_as_text_and_shown_inert_everywhere(sign_in: SignIn):
    client = sign_in("admin")
    url = start_blank(client)
    names = [add(client, url, "text", label, label_zh=label) for label in MARKUP]
    assert post(client, f"{url}/workflow/start").status_code == 303
    state = {"title_en": MARKUP[1], "title_zh": MARKUP[2], "readonly": "on"}
    assert post(client, f"{url}/workflow/states/submitted", state).status_code == 303
    draft = client.get(f"{url}/download").get_json()
    fields = draft["modules"][0]["schema"]["properties"]
    assert [fields[n]["title"]["en"] for n in names] == list(MARKUP)  # plain text, as typed
    for page in (
        url,
        f"{url}/preview",
        f"{url}/json",
        f"{url}/workflow",
        f"{url}?field={names[0]}",
    ):
        shown = client.get(page).text
        _inert(shown)
        assert "&lt;img src=x onerror=alert(1)&gt;" in shown or page.endswith("/workflow"), page
    drawing = client.get(f"{url}/workflow").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drawing and "{{ 7*7 }}" in drawing
    assert post(client, f"{url}/publish/confirm").status_code == 303
    record = post(client, "/m/visit/new", {f"d.{n}": "x" for n in names})
    assert record.status_code in (302, 303), record.text
    record_id = record.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert post(client, f"/m/visit/r/{record_id}/t/submit").status_code in (302, 303)
    for page in ("/m/visit/new", "/m/visit", f"/m/visit/r/{record_id}", "/inbox"):
        for headers in ({}, ZH):
            shown = client.get(page, headers=headers)
            assert shown.status_code == 200, page
            _inert(shown.text)
    assert "{{ 7*7 }}" in client.get("/m/visit/new").text


# -- 2. an expression with code --------------------------------------------------------------

CODE = [
    "__import__('os').system('id')",
    "().__class__",
    "lambda: 1",
    "1+" * 5000 + "1",
    "(" * 500 + "1" + ")" * 500,
]


@pytest.mark.parametrize("headers", LANGUAGES)
def test_an_expression_with_code_is_refused_beside_its_editor(
    sign_in: SignIn, app: Flask, headers: dict[str, str]
):
    client = sign_in("admin")
    url = start_blank(client)
    add(client, url, "decimal", "Hours")
    formula = add(client, url, "formula", "Double")
    assert save(client, url, formula, label_en="Double", formula="hours * 2").status_code == 303
    assert post(client, f"{url}/workflow/start").status_code == 303
    before = client.get(f"{url}/download").data
    draft_id = url.rsplit("/", 1)[-1]
    for expression in CODE:
        refused = post(
            client, f"{url}/fields/{formula}", {"label_en": "Double", "formula": expression},
            headers=headers,
        )  # fmt: skip
        assert refused.status_code == 422
        reason = problems_of(refused)
        assert formula in reason and said(headers, "cannot be read", "无法读取") in reason
        guard = {
            "title_en": "Submit",
            "from": ["draft"],
            "to": "submitted",
            "when.submit": expression,
        }
        refused = post(client, f"{url}/workflow/transitions/submit", guard, headers=headers)
        assert refused.status_code == 422
        assert said(headers, "cannot be read", "无法读取") in problems_of(refused)
        shown_if = {"label_en": "Hours", "show_if": expression}
        refused = post(client, f"{url}/fields/hours", shown_if, headers=headers)
        assert refused.status_code == 422 and "hours" in problems_of(refused)
        for where in ("formula", "show_if", "when"):
            check = {"draft": draft_id, "module": "visit", "where": where, "text": expression}
            answer = post(client, "/admin/builder/expression/check", check, headers=headers)
            assert answer.status_code == 200 and 'data-code="expression_unreadable"' in answer.text
    assert client.get(f"{url}/download").data == before  # the draft as it was
    assert post(client, f"{url}/publish").status_code == 200  # and it still publishes


# -- 3. a field id that collides ------------------------------------------------------------


@pytest.mark.parametrize("headers", LANGUAGES)
def test_a_field_id_that_collides_is_said_as_it_is_typed_and_refused(
    sign_in: SignIn, headers: dict[str, str]
):
    client = sign_in("admin")
    url = start_blank(client)
    place = add(client, url, "text", "Place")
    items = add(client, url, "table", "Items")
    add(client, url, "decimal", "Qty", table=items)
    before = client.get(f"{url}/download").data
    cases = [
        (place, None, said(headers, "already a field here", "已是这里的字段")),
        ("id", None, said(headers, "the system keeps", "系统为每条记录保留")),
        ("number", None, said(headers, "the system keeps", "系统为每条记录保留")),
        ("state", None, said(headers, "the system keeps", "系统为每条记录保留")),
        ("$state", None, said(headers, "not a valid id", "不是有效的标识")),
        ("qty", items, said(headers, "already a field here", "已是这里的字段")),
        ("parent_id", items, said(headers, "the system keeps", "系统为每条记录保留")),
    ]
    for typed, table, words in cases:
        query = {"id": typed, **({"table": table} if table else {})}
        hint = html.unescape(
            client.get(f"{url}/check-id", query_string=query, headers=headers).text
        )
        assert "id-taken" in hint and typed in hint and words in hint, (typed, hint)
        form = {
            "kind": "text",
            "label_en": "Other",
            "id": typed,
            **({"table": table} if table else {}),
        }
        refused = post(client, f"{url}/fields", form, headers=headers)
        assert refused.status_code == 422
        assert typed in problems_of(refused) and words in problems_of(refused)
    assert client.get(f"{url}/download").data == before


# -- 4. a cycle of formulas -----------------------------------------------------------------


@pytest.mark.parametrize("headers", LANGUAGES)
def test_a_cycle_of_formulas_is_refused_when_the_formula_closing_it_is_saved(
    sign_in: SignIn, headers: dict[str, str]
):
    client = sign_in("admin")
    url = start_blank(client)
    a, b, c = (add(client, url, "formula", name) for name in ("Alpha", "Beta", "Gamma"))
    assert save(client, url, a, label_en="Alpha", formula=f"{b} + 1").status_code == 303
    before = client.get(f"{url}/download").data
    refused = post(client, f"{url}/fields/{b}", {"label_en": "Beta", "formula": f"{a} + 1"},
                   headers=headers)  # fmt: skip
    assert refused.status_code == 422
    reason = problems_of(refused)
    assert "alpha → beta → alpha" in reason and said(headers, "cycle", "循环") in reason
    assert f'value="{a} + 1"' in refused.text or f">{a} + 1<" in refused.text  # the typing kept
    assert client.get(f"{url}/download").data == before
    assert save(client, url, b, label_en="Beta", formula=f"{c} * 2").status_code == 303
    refused = post(client, f"{url}/fields/{c}", {"label_en": "Gamma", "formula": f"{a} - 1"},
                   headers=headers)  # fmt: skip
    assert refused.status_code == 422
    assert "alpha → beta → gamma → alpha" in problems_of(refused)
    assert post(client, f"{url}/publish").status_code == 200  # the draft has no cycle


# -- 5. a workflow with an unreachable state ------------------------------------------------


@pytest.mark.parametrize("headers", LANGUAGES)
def test_an_unreachable_state_is_flagged_and_publishing_is_refused(
    sign_in: SignIn, app: Flask, headers: dict[str, str]
):
    client = sign_in("admin")
    published_visit(client, app)
    url = edit_visit(client)
    assert post(client, f"{url}/workflow/states", {"title_en": "Archived"}).status_code == 303
    section = client.get(f"{url}/workflow", headers=headers).text
    assert 'data-code="diagram_unreachable" data-state="archived"' in section
    assert re.search(r'<g[^>]*class="[^"]*wf-unreachable', section)  # flagged in the drawing
    editor = problems_of(client.get(url, headers=headers))
    assert "archived" in editor and said(headers, "cannot be reached", "无法到达") in editor
    before = snapshot(app)
    review = post(client, f"{url}/publish", headers=headers)
    assert review.status_code == 422 and 'name="reviewed"' not in review.text
    assert said(headers, "cannot be reached", "无法到达") in problems_of(review)
    assert post(client, f"{url}/publish/confirm", headers=headers).status_code == 422
    assert snapshot(app) == before


# -- 6. a publish that would strand records -------------------------------------------------


def _remove_submitted(client: FlaskClient, url: str) -> None:
    for transition in ("approve", "submit"):
        assert post(client, f"{url}/workflow/transitions/{transition}/remove").status_code == 303
    post(client, f"{url}/workflow/states/approved/remove")
    assert post(client, f"{url}/workflow/states/submitted/remove").status_code == 303


def _change_kind(client: FlaskClient, url: str) -> None:
    assert post(client, f"{url}/fields/visitors/remove").status_code == 303
    add(client, url, "text", "Visitors", id="visitors")


def _new_required(client: FlaskClient, url: str) -> None:
    weather = add(client, url, "text", "Weather")
    assert save(client, url, weather, label_en="Weather", required="on").status_code == 303


STRANDING = [
    (_remove_submitted, "submitted", ("Keep the state", "保留该状态")),
    (_change_kind, "visitors", ("Keep its type", "保留原类型")),
    (_new_required, "weather", ("give it a default", "")),
]


@pytest.mark.parametrize("headers", LANGUAGES)
@pytest.mark.parametrize("change", STRANDING, ids=["state", "kind", "required"])
def test_a_publish_that_would_strand_records_is_refused_with_the_count(
    sign_in: SignIn, app: Flask, headers: dict[str, str], change: Any
):
    client = sign_in("admin")
    published_visit(client, app)
    url = edit_visit(client)
    make, name, what_to_do = change
    make(client, url)
    before = snapshot(app)
    review = post(client, f"{url}/publish", headers=headers)
    assert review.status_code == 409 and 'name="reviewed"' not in review.text
    reason = problems_of(review)
    count = "1" if name == "submitted" else "2" if name == "weather" else "1"
    assert name in reason and count in reason, reason
    assert said(headers, *what_to_do) in reason
    assert said(headers, "Nothing was published", "未发布任何内容") in html.unescape(review.text)
    assert post(client, f"{url}/publish/confirm", headers=headers).status_code == 409
    assert snapshot(app) == before
    assert f"{url}" in client.get("/admin/builder/").text  # the draft is kept
