"""An administrator makes a field conditional in the builder and tries it in the preview.

Starts a blank module with hours and an overtime reason, types "show this field only
when…" and sees the check answer under the editor as they type (a misspelt name, then a
condition that reads well), saves, and sees the preview hide the field for the sample's
8.50 hours with a note naming the condition; typing 12 hours into the preview shows the
field again, now required. In English and Chinese; screenshots at 1280 and 390 px wide.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import as_admin
from tests.e2e.test_builder_fields import add_field, shoot


def _start(admin: Any) -> None:
    admin.click("p.builder-entry a")
    admin.click("a[href='/admin/builder/new']")
    admin.fill("#b-pack-id", "tally")
    admin.fill("#b-pack-en", "Tally")
    admin.fill("#b-module-id", "labour")
    admin.fill("#b-title-en", "Labour")
    admin.fill("#b-title-zh", "点工")
    admin.click("form.builder-start button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()


def _type(editor: Any, text: str) -> None:
    editor.fill("")
    editor.press_sequentially(text, delay=20)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_admin_makes_a_field_conditional_and_tries_it_in_the_preview(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)
    _start(admin)
    add_field(admin, "decimal", "Hours")
    add_field(admin, "text", "Overtime reason")
    admin.evaluate("window.notReloaded = true")

    show_if, shown = admin.locator("#expr-show_if"), admin.locator("#expr-show_if-result")
    _type(show_if, "hourz > 9")
    expect(shown.locator("li[data-code='unknown_name']")).to_be_visible()
    expect(shown.locator("[data-suggestion='hours']")).to_be_visible()
    _type(show_if, "hours > 9")
    expect(shown.locator(".expression-ok")).to_be_visible()
    required_if = admin.locator("#expr-required_if")
    _type(required_if, "hours")
    expect(admin.locator("#expr-required_if-result li")).to_have_attribute(
        "data-code", "builder_expr_not_condition"
    )
    _type(required_if, "hours > 10")
    expect(admin.locator("#expr-required_if-result .expression-ok")).to_be_visible()
    assert admin.evaluate("window.notReloaded") is True  # checked without a reload
    shoot(admin, screenshots, "conditions", language)

    admin.click("form.builder-field-form button[type=submit]")
    note = admin.locator("#sample-note-overtime_reason")
    expect(note).to_be_visible()
    expect(note).to_contain_text("hours > 9")
    expect(admin.locator("#field-overtime_reason")).to_be_hidden()
    expect(admin.locator("#builder-preview [name='d.hours']")).to_have_value("8.50")
    shoot(admin, screenshots, "conditions-hidden", language)

    admin.locator("#builder-preview [name='d.hours']").fill("12")
    expect(admin.locator("#field-overtime_reason")).to_be_visible()
    expect(note).to_be_hidden()
    expect(admin.locator("#field-overtime_reason .required-mark")).to_be_visible()
    admin.locator("#builder-preview [name='d.hours']").fill("6")
    expect(admin.locator("#field-overtime_reason")).to_be_hidden()
    expect(note).to_be_visible()
    admin.locator("#builder-preview [name='d.hours']").fill("12")
    expect(admin.locator("#field-overtime_reason")).to_be_visible()
    shoot(admin, screenshots, "conditions-shown", language)
    watch.check()
