"""The builder's expression editor over HTTP: an admin types, the page answers in their
language with the place of each mistake, the names to complete and the sample's value."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.db import transaction
from tests.web.helpers import csrf_token, post

ZH = {"Accept-Language": "zh-CN"}
HAN = re.compile(r"[\u4e00-\u9fff]")
CHECK = "/admin/builder/expression/check"


def ask(
    client: FlaskClient,
    text: str,
    where: str = "formula",
    headers: dict[str, str] | None = None,
    **extra: str,
) -> str:
    data = {"pack": "construction", "module": "labour_tally", "where": where, "text": text}
    response = post(client, CHECK, {**data, **extra}, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.text


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def admin(sign_in: Callable[[str], FlaskClient]) -> FlaskClient:
    return sign_in("admin")


def test_a_formula_that_reads_well_shows_its_type_and_the_sample_value(admin: FlaskClient) -> None:
    page = ask(admin, "round(hours * rate, 2)", table="items", field="amount")
    assert 'data-expression-state="ok"' in page
    assert "it gives number" in plain(page)
    assert re.search(r"data-sample-result>.*<code>72\.25</code>", page, re.S)
    typed = ask(admin, "hours * rate", table="items", field="amount",
                sample=json.dumps({"hours": 7.5, "rate": 42.8}))  # fmt: skip
    assert "<code>321.00</code>" in typed  # money at its scale


@pytest.mark.parametrize(
    ("text", "where", "code", "english", "chinese"),
    [
        ("hours * ", "formula", "expression_unreadable", "Syntax error", "语法"),
        ("hourz * 2", "formula", "unknown_name", "names hourz", "hourz"),
        ("foo(hours)", "formula", "unknown_function", "Unknown function foo", "foo"),
        ("worker + 1", "formula", "type_clash", "do not agree", "worker"),
        ("sum(hours)", "formula", "builder_expr_aggregate_per_record", "child table", "sum"),
        ("hours + 1", "show_if", "builder_expr_not_condition", "not a condition", "hours + 1"),
        ("amount", "report_measure", "aggregate_required", "must be an aggregate", "amount"),
    ],
)
def test_each_mistake_is_said_in_the_admins_language(
    admin: FlaskClient, text: str, where: str, code: str, english: str, chinese: str
) -> None:
    page = ask(admin, text, where)
    assert f'data-code="{code}"' in page and english in plain(page)
    zh = ask(admin, text, where, headers=ZH)
    item = re.search(rf'<li data-code="{code}">(.*?)</li>', zh, re.S)
    assert item and HAN.search(item.group(1)) and chinese in item.group(1)


def test_the_caret_points_at_the_mistake_and_a_close_name_is_offered(admin: FlaskClient) -> None:
    page = ask(admin, "amount / hourz")
    caret = re.search(r'<pre class="expression-caret"[^>]*>(.*?)</pre>', page, re.S)
    assert caret and caret.group(1) == "amount / hourz\n         ^"
    assert 'data-suggestion="hours"' in page
    assert "Did you mean hours?" in plain(page)


def test_the_word_being_typed_is_completed_from_the_modules_names(admin: FlaskClient) -> None:
    page = ask(admin, "round(ho")
    assert 'data-insert-name="hours"' in page and 'data-insert-name="items.hours"' not in page
    assert "Total hours" in plain(page)
    middle = ask(admin, "ite + 1", expr_caret="3")
    assert 'data-insert-name="items"' in middle and 'data-insert-name="items.amount"' in middle


def test_a_division_by_zero_in_the_sample_is_shown_not_raised(admin: FlaskClient) -> None:
    page = ask(admin, "amount / 0")
    assert 'data-code="expr_division_by_zero"' in page and "Division by zero" in plain(page)
    zh = ask(admin, "amount / 0", headers=ZH)
    assert HAN.search(plain(zh))


def test_a_draft_posted_whole_is_checked_as_it_stands(admin: FlaskClient) -> None:
    draft = {"id": "d", "modules": [{"id": "m", "schema": {"type": "object", "properties": {
        "qty": {"type": "integer", "title": "Qty"}}}}]}  # fmt: skip
    data = {"definition": json.dumps(draft), "module": "m", "where": "formula", "text": "qty * 2"}
    page = post(admin, CHECK, data)
    assert page.status_code == 200 and "<code>6</code>" in page.text
    unknown = post(admin, CHECK, {**data, "text": "qtty"})
    assert 'data-suggestion="qty"' in unknown.text


def test_the_names_are_listed_as_json_and_as_a_datalist(admin: FlaskClient) -> None:
    query = "?pack=construction&module=labour_tally&where=formula"
    names = admin.get(f"/admin/builder/expression/names{query}").get_json()["names"]
    by_name = {n["name"]: n for n in names}
    assert by_name["hours"]["group"] == "field" and by_name["round"]["signature"] == "round(x, y?)"
    assert "$state" in by_name and "items.amount" in by_name
    zh = admin.get(f"/admin/builder/expression/names{query}", headers=ZH).get_json()["names"]
    assert "合计工时" in {n["name"]: n for n in zh}["hours"]["title"]
    rows = admin.get(f"/admin/builder/expression/names{query}&table=items&format=datalist").text
    assert (
        rows.strip().startswith("<datalist")
        and 'value="rate"' in rows
        and 'value="worker"' not in rows
    )


def test_the_try_page_draws_the_editor(admin: FlaskClient) -> None:
    page = admin.get("/admin/builder/expression/try?pack=construction&module=labour_tally")
    assert page.status_code == 200
    assert 'hx-post="/admin/builder/expression/check"' in page.text
    assert 'hx-trigger="keyup changed delay:300ms, change, load"' in page.text
    assert "expression_editor.js" in page.text and "<script>" not in page.text
    zh = admin.get(
        "/admin/builder/expression/try?pack=construction&module=labour_tally", headers=ZH
    )
    assert "表达式" in zh.text
    rows = admin.get(
        "/admin/builder/expression/try?pack=construction&module=labour_tally&table=items"
    )
    assert 'name="expr_table" value="items"' in rows.text and "hours&#34;: 8.5" in rows.text
    assert (
        admin.get("/admin/builder/expression/try?pack=construction&module=nope").status_code == 404
    )


def test_only_administrators_and_only_with_the_csrf_token(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    data = {"pack": "construction", "module": "labour_tally", "where": "formula", "text": "1"}
    foreman = sign_in("foreman")
    assert post(foreman, CHECK, data).status_code == 403
    assert foreman.get("/admin/builder/expression/try?pack=construction").status_code == 403
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    admin = sign_in("admin")
    assert admin.post(CHECK, data=data).status_code == 400  # no CSRF token
    assert post(admin, CHECK, {**data, "where": "eval"}).status_code == 400
    assert post(admin, CHECK, {**data, "pack": "nope"}).status_code == 404
    assert post(admin, CHECK, {**data, "text": "x" * 30_000}).status_code == 413
    blank = post(admin, CHECK, {**data, "text": "  "})
    assert blank.status_code == 200 and blank.text == ""
    long = post(admin, CHECK, {**data, "text": "x" * 10_000})
    assert long.status_code == 200 and 'data-code="expression_unreadable"' in long.text


def test_an_admins_draft_is_checked_and_no_one_elses(app: Flask, admin: FlaskClient) -> None:
    from engine.builder.drafts import edit_installed, get_draft, save_draft

    with transaction(app.extensions["formwork"].session_factory) as session:
        draft = edit_installed(session, "admin", "construction", "labour_tally")
        definition = copy.deepcopy(draft.definition)
        tally = next(m for m in definition["modules"] if m["id"] == "labour_tally")
        tally["schema"]["properties"]["bonus"] = {"type": "number", "title": "Bonus"}
        save_draft(session, get_draft(session, "admin", draft.id), definition)
        theirs = edit_installed(session, "someone_else", "construction", "labour_tally").id
        mine = draft.id
    data = {"module": "labour_tally", "where": "formula", "text": "amount + bonus"}
    page = post(admin, CHECK, {**data, "draft": mine})
    assert page.status_code == 200 and 'data-expression-state="ok"' in page.text
    assert post(admin, CHECK, {**data, "pack": "construction"}).text.count("unknown_name") == 1
    assert post(admin, CHECK, {**data, "draft": theirs}).status_code == 404


def test_a_posted_draft_that_is_not_a_pack_is_refused_in_words(admin: FlaskClient) -> None:
    data = {"module": "m", "where": "formula", "text": "1"}
    for bad in ("[" * 50_000, "{", "[1, 2]"):
        answer = post(admin, CHECK, {**data, "definition": bad})
        assert 400 <= answer.status_code < 500, answer.status_code
