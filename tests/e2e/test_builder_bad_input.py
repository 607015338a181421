"""The builder's bad input in a real browser, in English and in Chinese: each caught in the
editor where the admin makes it, with the reason in the admin's language, nothing published.

A label with markup stays text (no dialog opens, `{{ 7*7 }}` is not worked out) in the
editor, the preview, the JSON and the workflow drawing; code in a formula is refused beside
its editor; a colliding or system field id is said as it is typed; a formula closing a
cycle is refused with the names in it; an unreachable state is flagged in the drawing and
publishing it is refused; a new required field on a module with records is refused at the
review with the count and what to do. Screenshots at 1280 and 390 px wide go to tests/e2e/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import as_admin
from tests.e2e.test_builder_fields import add_field, shoot

LANGUAGES = ["en", "zh-CN"]
IMG = "<img src=x onerror=alert(1)>"


def _said(language: str, en: str, zh: str) -> str:
    return zh if language == "zh-CN" else en


def _start(admin: Any, live_server: LiveServer) -> str:
    admin.goto(f"{live_server.url}/admin/builder/new")
    admin.fill("#b-pack-id", "works")
    admin.fill("#b-pack-en", "Works")
    admin.fill("#b-module-id", "visit")
    admin.fill("#b-title-en", "Site visit")
    admin.fill("#b-title-zh", "{{ 7*7 }}")
    admin.click("form.builder-start button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()
    return str(admin.url.split("?")[0].split("#")[0].removeprefix(live_server.url))


def _save_formula(admin: Any, name: str, formula: str) -> None:
    admin.click(f".builder-field-list li[data-name={name}] > a")
    admin.locator("#builder-field textarea[name=formula]").fill(formula)
    admin.click("form.builder-field-form button[type=submit]")
    admin.wait_for_load_state("networkidle")  # the answer (a page or a swap) is in


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_input_is_caught_in_the_editor_and_nothing_is_published(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)
    dialogs: list[str] = []
    admin.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    draft = _start(admin, live_server)
    for status in (
        f"{draft}/fields/double",
        f"{draft}/fields",
        f"{draft}/publish",
        f"{draft}/publish/confirm",
    ):
        watch.expected_statuses.add((status, 422))

    # 1. a label with markup is text wherever it shows
    add_field(admin, "text", IMG)
    add_field(admin, "decimal", "Hours")
    add_field(admin, "formula", "Double")
    add_field(admin, "formula", "Triple")
    expect(admin.locator("#builder-preview label", has_text=IMG)).to_be_visible()
    expect(admin.locator("#builder-preview img")).to_have_count(0)

    # 2. code in a formula: said beside the editor as it is typed, refused when saved
    _save_formula(admin, "double", "__import__('os').system('id')")
    expect(admin.locator(".builder-problems li[data-code=expression_unreadable]")).to_contain_text(
        _said(language, "cannot be read", "无法读取")
    )
    expect(admin.locator("#builder-field [data-code=expression_unreadable]").first).to_be_visible()
    shoot(admin, screenshots, "bad-code", language)
    _save_formula(admin, "double", "hours * 2")
    expect(admin.locator(".builder-problems")).to_have_count(0)

    # 3. a field id that collides: the hint says so as it is typed, the add is refused
    add = admin.locator("form.builder-add").first
    add.locator("input[name=id]").fill("state")
    expect(add.locator(".id-taken")).to_contain_text(
        _said(language, "the system keeps", "系统为每条记录保留")
    )
    add.locator("input[name=id]").fill("hours")
    expect(add.locator(".id-taken")).to_contain_text("hours")
    add.locator("input[name=label_en]").fill("Hours again")
    add.locator("button[type=submit]").click()
    expect(admin.locator(".builder-problems li[data-code=builder_field_taken]")).to_be_visible()
    shoot(admin, screenshots, "bad-id", language)

    # 4. a cycle of formulas: refused when the formula closing it is saved, names given
    _save_formula(admin, "triple", "double + 1")
    expect(admin.locator(".builder-problems")).to_have_count(0)
    _save_formula(admin, "double", "triple * 2")
    expect(admin.locator(".builder-problems li[data-code=formula_cycle]")).to_contain_text(
        "double → triple → double"
    )
    shoot(admin, screenshots, "bad-cycle", language)

    # 5. an unreachable state: flagged in the drawing; publishing refused with the reason
    admin.goto(f"{live_server.url}{draft}/workflow")
    admin.click("form[action$='/workflow/start'] button[type=submit]")
    add_state = admin.locator("form.wf-add")
    add_state.locator("input[name=title_en]").fill("Archived")
    add_state.locator("input[name=title_zh]").fill(IMG)
    add_state.locator("button[type=submit]").click()
    expect(admin.locator(".wf-problems li[data-code=diagram_unreachable]")).to_have_count(1)
    expect(admin.locator("#wf-drawing svg .wf-unreachable").first).to_be_visible()
    expect(admin.locator("#wf-drawing svg image, #wf-drawing img")).to_have_count(0)
    shoot(admin, screenshots, "bad-unreachable", language)
    admin.goto(f"{live_server.url}{draft}")
    admin.click("form[action$='/publish'] button[type=submit]")
    expect(admin.locator("main")).to_contain_text(_said(language, "cannot be reached", "无法到达"))
    expect(admin.locator("form.confirm-publish")).to_have_count(0)
    shoot(admin, screenshots, "bad-publish", language)
    response = admin.request.get(f"{live_server.url}/m/visit")
    assert response.status == 404  # nothing was published

    # the JSON holds the label as typed, shown as text
    admin.goto(f"{live_server.url}{draft}/json")
    expect(admin.locator("main")).to_contain_text(IMG)
    assert dialogs == [] and "49" not in admin.locator("main").inner_text()
    watch.check()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_publish_that_would_strand_records_is_refused_with_the_count(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)
    _start(admin, live_server)
    add_field(admin, "text", "Place")
    admin.click("form[action$='/publish'] button[type=submit]")
    admin.click("form.confirm-publish button[type=submit]")
    admin.goto(f"{live_server.url}/m/visit/new")
    admin.fill("[name='d.place']", "Gate")
    admin.click("form.record-form button[type=submit]")
    expect(admin.locator("main")).to_contain_text("Gate")
    admin.goto(f"{live_server.url}/admin/builder/packs/works")
    admin.click("form[action$='/packs/works'] button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()
    draft = admin.url.split("?")[0].split("#")[0].removeprefix(live_server.url)
    watch.expected_statuses.add((f"{draft}/publish", 409))
    add_field(admin, "text", "Weather")
    admin.click(".builder-field-list li[data-name=weather] > a")
    admin.check("form.builder-field-form input[name=required]")
    admin.click("form.builder-field-form button[type=submit]")
    admin.wait_for_load_state("networkidle")
    expect(admin.locator(".builder-problems")).to_have_count(0)
    admin.click("form[action$='/publish'] button[type=submit]")
    main = admin.locator("main")
    expect(main).to_contain_text("weather")
    expect(main).to_contain_text(_said(language, "1 records", "1 条记录"))
    expect(main).to_contain_text(_said(language, "Nothing was published", "未发布任何内容"))
    expect(admin.locator("form.confirm-publish")).to_have_count(0)
    shoot(admin, screenshots, "bad-strand", language)
    watch.check()
