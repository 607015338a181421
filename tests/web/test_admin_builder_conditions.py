"""A field's conditions in the builder: the admin writes "show this field only when…" and
"required when…" on the field form, a bad condition is refused in the admin's language with
the draft unchanged, and once published the real form hides the field and the API refuses a
record without the field its condition requires."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.web.helpers import Api, post, sign_in_as
from tests.web.test_admin_builder import ZH, add, save, start_blank

SignIn = Callable[[str], FlaskClient]


def _labour(client: FlaskClient) -> str:
    url = start_blank(client)
    add(client, url, "decimal", "Hours")
    add(client, url, "text", "Overtime reason")
    items = add(client, url, "table", "Items")
    add(client, url, "decimal", "Qty", table=items)
    return url


def _ui(client: FlaskClient, url: str) -> dict:
    return json.loads(client.get(f"{url}/download").data)["modules"][0].get("ui", {})


def _conditions(**given: str) -> dict[str, str]:
    return {"label_en": "Overtime reason", **given}


def test_an_admin_writes_a_fields_conditions_on_its_form(sign_in: SignIn):
    client = sign_in("admin")
    url = _labour(client)
    form = client.get(f"{url}?field=overtime_reason").text
    assert "Show this field only when…" in form and "Required when…" in form
    assert 'name="show_if"' in form and 'name="required_if"' in form
    saved = save(client, url, "overtime_reason", **_conditions(show_if="hours > 8",
                 required_if="hours > 10"))  # fmt: skip
    assert saved.status_code == 303, saved.text
    assert _ui(client, url) == {
        "show_if": {"overtime_reason": "hours > 8"},
        "required_if": {"overtime_reason": "hours > 10"},
    }
    form = html.unescape(client.get(f"{url}?field=overtime_reason").text)
    assert re.search(r'name="show_if"[^>]*>hours > 8</textarea>', form)
    # a child table's column has no condition editors
    column = client.get(f"{url}?field=qty&table=items").text
    assert 'name="show_if"' not in column
    # emptied: the condition is gone
    assert (
        save(client, url, "overtime_reason", **_conditions(show_if="", required_if="")).status_code
        == 303
    )
    assert _ui(client, url) == {}


@pytest.mark.parametrize(
    ("condition", "chinese"),
    [
        ("__import__('os')", "不能以"),
        ("nope > 1", "引用的 nope 在此处未知"),
        ("hours * 2", "不是条件"),
        ("overtime_reason != ''", "读取了它自身"),
    ],
)
def test_a_bad_condition_is_refused_in_chinese_and_the_draft_is_unchanged(
    sign_in: SignIn, condition: str, chinese: str
):
    client = sign_in("admin")
    url = _labour(client)
    before = client.get(f"{url}/download").data
    field_url = f"{url}/fields/overtime_reason"
    refused = post(client, field_url, _conditions(show_if=condition), headers=ZH)
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert chinese in page, page[page.find("builder-problems") :][:800]
    assert condition in page  # what was typed is kept in the editor
    assert client.get(f"{url}/download").data == before


def test_the_editor_check_answers_for_the_condition_being_typed(sign_in: SignIn):
    client = sign_in("admin")
    url = _labour(client)
    page = client.get(f"{url}?field=overtime_reason").text
    definition = html.unescape(re.search(r'name="expr_definition" value="([^"]*)"', page)[1])
    checked = post(
        client,
        "/admin/builder/expression/check",
        {
            "show_if": "hours > 8",
            "required_if": "hours * 2",  # the other editor's text, sent with the same form
            "expr_input": "required_if",
            "expr_where": "required_if",
            "expr_module": "visit",
            "expr_definition": definition,
        },
        headers=ZH,
    )
    assert checked.status_code == 200
    assert 'data-code="builder_expr_not_condition"' in checked.text


def test_once_published_the_form_hides_the_field_and_the_api_requires_it(api: Api):
    client = api.client
    assert sign_in_as(client, "admin").status_code == 302
    url = _labour(client)
    saved = save(client, url, "overtime_reason", **_conditions(show_if="hours > 8",
                 required_if="hours > 8"))  # fmt: skip
    assert saved.status_code == 303
    assert post(client, f"{url}/publish").status_code == 200
    assert post(client, f"{url}/publish/confirm").status_code == 303
    form = client.get("/m/visit/new").text
    assert re.search(r'id="field-overtime_reason"[^>]*hidden', form)
    refused = api.post("/modules/visit/records", json={"data": {"hours": 12}})
    assert refused.status_code == 422
    assert [e["path"] for e in refused.get_json()["errors"]] == ["/overtime_reason"]
    short = api.post("/modules/visit/records", json={"data": {"hours": 6}})
    assert short.status_code == 201, short.text
    done = {"hours": 12, "overtime_reason": "Pour ran late"}
    assert api.post("/modules/visit/records", json={"data": done}).status_code == 201


def test_the_preview_starts_from_sample_values_and_marks_a_field_hidden_for_them(
    sign_in: SignIn,
):
    client = sign_in("admin")
    url = _labour(client)
    pay = add(client, url, "formula", "Pay")
    assert save(client, url, pay, label_en="Pay", formula="hours * 10").status_code == 303
    saved = save(client, url, "overtime_reason", **_conditions(show_if="hours > 9"))
    assert saved.status_code == 303
    preview = html.unescape(client.get(f"{url}/preview").text)
    # the made-up 8.50 hours fill the form, the formula shows its value for them
    assert re.search(r'name="d.hours" value="8.50"', preview)
    assert re.search(r'id="calc-pay"[^>]*>85(\.0+)?<', preview), preview
    assert re.search(r'id="field-overtime_reason"[^>]*hidden', preview)
    note = re.search(
        r'<p class="builder-sample-note" id="sample-note-overtime_reason"[^>]*>', preview
    )
    assert note and "hidden" not in note.group(0)
    assert "hidden for this sample:" in preview and "<code>hours > 9</code>" in preview
    # the admin types 12 hours: the field shows, its note goes, the formula follows
    answer = post(
        client,
        f"{url}/preview",
        {"d.hours": "12", "d.overtime_reason": "", "_state.overtime_reason": "0,0"},
    )
    assert answer.status_code == 200
    shown = html.unescape(answer.text)
    assert re.search(r'id="calc-pay"[^>]*>120(\.0+)?<', shown), shown
    field = re.search(r'<div class="field" id="field-overtime_reason"[^>]*>', shown).group(0)
    assert "hidden" not in field
    note = re.search(
        r'<p class="builder-sample-note" id="sample-note-overtime_reason"[^>]*>', shown
    )
    assert note and " hidden" in note.group(0) and 'hx-swap-oob="true"' in note.group(0)


def test_removing_a_field_another_condition_reads_is_reported_until_put_right(sign_in: SignIn):
    client = sign_in("admin")
    url = _labour(client)
    saved = save(client, url, "overtime_reason", **_conditions(show_if="hours > 8"))
    assert saved.status_code == 303
    assert post(client, f"{url}/fields/hours/remove").status_code == 303
    page = html.unescape(client.get(url, headers=ZH).text)
    problems = page[page.index('id="builder-preview"') :]
    assert 'data-code="unknown_name"' in problems
    assert "?field=overtime_reason" in problems and "hours > 8 引用的 hours 在此处未知" in problems
    assert post(client, f"{url}/publish").status_code == 422
    # put right on the field's own form: the draft publishes
    assert save(client, url, "overtime_reason", **_conditions(show_if="")).status_code == 303
    assert post(client, f"{url}/publish").status_code == 200
