"""The builder's form layout: an admin puts a draft module's fields into titled sections,
moves one to another section, sees the preview follow and publishes; the real record form
then shows the sections. Bad arrangements are refused in the admin's language, the draft
unchanged; the page is for admins only and every change needs the CSRF token."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.web.helpers import post
from tests.web.test_admin_builder import ZH, add, start_blank

SignIn = Callable[[str], FlaskClient]


def _visit(client: FlaskClient) -> str:
    """A draft module with three fields and no layout."""
    url = start_blank(client)
    for kind, label in (("text", "Inspector"), ("date", "Visit date"), ("integer", "Visitors")):
        add(client, url, kind, label)
    return url


def _layout(client: FlaskClient, url: str) -> list[dict[str, Any]]:
    pack = json.loads(client.get(f"{url}/download").data)
    return list(pack["modules"][0].get("ui", {}).get("layout", []))


def _work_section(client: FlaskClient, url: str) -> None:
    form = {"title_en": "Work", "title_zh": "工作", "columns": "2", "field": "inspector"}
    assert post(client, f"{url}/layout/sections", form).status_code == 303


WORK = ("Work", "工作", 2)
WHEN = ("When", "", 1)


def _arrangement(*sections: tuple[tuple[str, str, int], list[str]]) -> dict[str, Any]:
    """The sections form as the page posts it: ((title en, zh, columns), fields) each."""
    form: dict[str, Any] = {"section": [str(n) for n in range(len(sections))]}
    for number, ((en, zh, columns), fields) in enumerate(sections):
        form[f"title_en.{number}"], form[f"title_zh.{number}"] = en, zh
        form[f"columns.{number}"] = str(columns)
        form[f"fields.{number}"] = fields
    return form


def test_an_admin_lays_out_sections_and_the_published_form_shows_them(sign_in: SignIn):
    client = sign_in("admin")
    url = _visit(client)
    page = client.get(f"{url}/layout")
    assert page.status_code == 200
    assert "Not placed" in page.text and 'name="move.inspector"' in page.text
    _work_section(client, url)
    more = {"title_en": "When", "columns": "1", "field": "visit_date"}
    assert post(client, f"{url}/layout/sections", more).status_code == 303
    # a drag of "visitors" into Work, after the inspector: the whole arrangement is posted
    moved = post(
        client,
        f"{url}/layout",
        _arrangement((WORK, ["inspector", "visitors"]), (WHEN, ["visit_date"])),
    )
    assert moved.status_code == 303
    # the "move to" select: the date joins Work, leaving the When section empty → refused
    form = {
        **_arrangement((WORK, ["inspector", "visitors"]), (WHEN, ["visit_date"])),
        "move.visit_date": "0",
    }
    refused = post(client, f"{url}/layout", form)
    assert refused.status_code == 422
    assert "A section needs at least one field" in html.unescape(refused.text)
    assert _layout(client, url) == [
        {
            "title": {"en": "Work", "zh-CN": "工作"},
            "columns": 2,
            "fields": ["inspector", "visitors"],
        },
        {"title": {"en": "When"}, "fields": ["visit_date"]},
    ]
    preview = client.get(f"{url}/layout").text
    start = preview.index('id="builder-preview"')
    shown = preview[start:]
    assert shown.index("<legend>Work</legend>") < shown.index('name="d.visitors"')
    assert shown.index('name="d.visitors"') < shown.index("<legend>When</legend>")
    review = post(client, f"{url}/publish")
    assert review.status_code == 200
    assert post(client, f"{url}/publish/confirm").status_code == 303
    form_page = client.get("/m/visit/new").text
    assert form_page.index("<legend>Work</legend>") < form_page.index('name="d.inspector"')
    assert form_page.index('name="d.visitors"') < form_page.index("<legend>When</legend>")
    assert form_page.index("<legend>When</legend>") < form_page.index('name="d.visit_date"')


def test_a_field_moves_out_of_a_section_and_a_section_is_removed(sign_in: SignIn):
    client = sign_in("admin")
    url = _visit(client)
    _work_section(client, url)
    form = {**_arrangement((WORK, ["inspector"])), "move.visit_date": "0", "move.visitors": "0"}
    assert post(client, f"{url}/layout", form).status_code == 303
    form = {**_arrangement((WORK, ["inspector", "visit_date", "visitors"])), "move.inspector": ""}
    assert post(client, f"{url}/layout", form).status_code == 303
    assert _layout(client, url)[0]["fields"] == ["visit_date", "visitors"]
    assert post(client, f"{url}/layout/sections/0/remove").status_code == 303
    assert _layout(client, url) == []
    page = client.get(f"{url}/layout").text
    assert page.count('name="unplaced"') == 3


def test_an_unknown_field_or_a_field_twice_is_refused_and_the_draft_kept(sign_in: SignIn):
    client = sign_in("admin")
    url = _visit(client)
    _work_section(client, url)
    before = _layout(client, url)
    unknown = post(client, f"{url}/layout", _arrangement((WORK, ["inspector", "ghost"])))
    assert unknown.status_code == 422
    assert "There is no field ghost here" in html.unescape(unknown.text)
    twice = post(
        client, f"{url}/layout", _arrangement((WORK, ["inspector"]), (WHEN, ["inspector"]))
    )
    assert twice.status_code == 422
    assert "inspector is in section 1 already" in html.unescape(twice.text)
    columns = {**_arrangement((WORK, ["inspector"])), "columns.0": "9"}
    assert "a section has 1 to 4 columns" in post(client, f"{url}/layout", columns).text
    nothing = post(client, f"{url}/layout/sections", {"title_en": "Empty", "field": ""})
    assert nothing.status_code == 422 and "at least one field" in nothing.text
    assert _layout(client, url) == before


def test_the_layout_page_speaks_chinese(sign_in: SignIn):
    client = sign_in("admin")
    url = _visit(client)
    _work_section(client, url)
    page = client.get(f"{url}/layout", headers=ZH).text
    assert "未放置" in page and "添加分区" in page and "工作" in page
    twice = post(
        client,
        f"{url}/layout",
        _arrangement((WORK, ["inspector"]), (WHEN, ["inspector"])),
        headers=ZH,
    )
    assert twice.status_code == 422
    assert "inspector 已在第 1 个分区中" in html.unescape(twice.text)


def test_only_admins_with_the_csrf_token_change_a_layout(sign_in: SignIn):
    admin = sign_in("admin")
    url = _visit(admin)
    forged = admin.post(f"{url}/layout", data=_arrangement((WORK, ["inspector"])))
    assert forged.status_code == 400
    assert _layout(admin, url) == []
    foreman = sign_in("foreman")
    assert foreman.get(f"{url}/layout").status_code == 403
    assert post(foreman, f"{url}/layout/sections", {"field": "inspector"}).status_code == 403
