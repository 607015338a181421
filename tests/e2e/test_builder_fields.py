"""An administrator composes a module in the browser builder, in English and in Chinese.

Starts a blank module in a new pack, adds fields from the palette (a child table with a
column), sees the id offered and a taken one refused as they type, drags the last field to
the top and sees the live preview follow, then publishes through the dry-run review.
Screenshots at 1280 and 390 px wide go to tests/e2e/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import DESK, PHONE, as_admin

LANGUAGES = ["en", "zh-CN"]


def shoot(page: Any, folder: Path, name: str, language: str) -> None:
    page.screenshot(path=str(folder / f"builder-{name}-{language}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(folder / f"builder-{name}-{language}-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESK)
    assert width <= 390


def add_field(page: Any, kind: str, label: str, form: str = "form.builder-add") -> None:
    add = page.locator(form).last
    add.locator(f"input[name=kind][value={kind}]").check()
    add.locator("input[name=label_en]").fill(label)
    expect(add.locator(".id-hint")).to_be_visible()
    add.locator("button[type=submit]").click()
    expect(page.locator(".builder-field-list li", has_text=label).first).to_be_visible()


def drag(page: Any, source: Any, target: Any) -> None:
    """Drag by the mouse in small steps, as a person does (SortableJS follows the moves)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 2, steps=12)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 1, steps=3)
    page.mouse.up()


def preview_order(page: Any) -> list[str]:
    names = page.locator("#builder-preview [name^='d.']").evaluate_all(
        "els => els.map(e => e.name)"
    )
    return [n[2:] for n in names if "." not in n[2:]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_admin_composes_reorders_and_publishes_a_module(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)
    admin.click("p.builder-entry a")
    admin.click("a[href='/admin/builder/new']")
    admin.fill("#b-pack-id", "works")
    admin.fill("#b-pack-en", "Works")
    admin.fill("#b-module-id", "visit")
    admin.fill("#b-title-en", "Site visit")
    admin.fill("#b-title-zh", "现场巡检")
    shoot(admin, screenshots, "start", language)
    admin.click("form.builder-start button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()

    add_field(admin, "text", "Inspector")
    add_field(admin, "money", "Amount")
    # a taken id is refused as it is typed
    add = admin.locator("form.builder-add").first
    add.locator("input[name=id]").fill("inspector")
    expect(add.locator(".id-taken")).to_be_visible()
    add.locator("input[name=id]").fill("")
    add_field(admin, "table", "Items")
    add_field(admin, "decimal", "Qty", form="#builder-field form.builder-add")
    admin.click(".builder-field-list li[data-name=items] > a")
    add_field(admin, "formula", "Double", form="#builder-field form.builder-add")
    editor = admin.locator("[data-expression-editor] textarea")
    editor.fill("qty * 2")
    expect(admin.locator(".expression-ok")).to_be_visible()
    admin.click("form.builder-field-form button[type=submit]")
    expect(admin.locator("#builder-preview")).to_contain_text("Double")
    # sample values in the preview work the formula out, nothing stored: first the made-up
    # 8.50 of each row (once the saved formula is drawn), then the value the admin types
    expect(admin.locator("#calc-items-0-double")).to_have_text("17.00")
    admin.locator("#builder-preview [name='d.items.0.qty']").fill("3")
    expect(admin.locator("#calc-items-0-double")).to_have_text("6.00")
    add_field(admin, "date", "Visit date")
    expect(admin.locator("#builder-preview input[name='d.inspector']")).to_be_visible()
    assert preview_order(admin) == ["inspector", "amount", "visit_date"]

    # a bad setting is refused beside the field, in the admin's language; nothing is lost
    draft = admin.url.split("?")[0].split("#")[0].removeprefix(live_server.url)
    watch.expected_statuses.add((f"{draft}/fields/inspector", 422))
    admin.click(".builder-field-list li[data-name=inspector] > a")
    admin.fill("#f-pattern", "([a-")
    admin.fill("#f-label-zh", "检查人")
    admin.click("form.builder-field-form button[type=submit]")
    expect(admin.locator(".builder-problems")).to_contain_text("([a-")
    expect(admin.locator("#f-label-zh")).to_have_value("检查人")
    shoot(admin, screenshots, "field-refused", language)
    admin.fill("#f-pattern", "^[A-Z]")
    admin.click("form.builder-field-form button[type=submit]")
    expect(admin.locator(".builder-problems")).to_have_count(0)
    expect(admin.locator("#builder-preview")).to_contain_text(re.compile("Inspector|检查人"))

    # drag the last field above the first: the order is saved and the preview follows
    top = admin.locator(".builder-field-list[data-table=''] > li").first.locator(".drag-handle")
    last = admin.locator(".builder-field-list[data-table=''] > li").last.locator(".drag-handle")
    top.scroll_into_view_if_needed()  # the saved field's form is scrolled to, below the list
    drag(admin, last, top)
    expect(admin.locator(".builder-field-list[data-table=''] > li").first).to_have_attribute(
        "data-name", "visit_date"
    )
    expect(admin.locator("#builder-preview [name='d.visit_date']")).to_be_visible()
    admin.wait_for_function(
        "() => { const n = [...document.querySelectorAll('#builder-preview [name^=\"d.\"]')];"
        " return n.length && n[0].name === 'd.visit_date'; }"
    )
    admin.reload()
    assert preview_order(admin) == ["visit_date", "inspector", "amount"]
    shoot(admin, screenshots, "editor", language)

    admin.click("form[action$='/publish'] button[type=submit]")
    expect(admin.locator(".pack-summary")).to_contain_text("1.0.0")
    shoot(admin, screenshots, "review", language)
    admin.click("form.confirm-publish button[type=submit]")
    expect(admin.locator("#pack-works")).to_contain_text("1.0.0")
    admin.goto(live_server.url + "/m/visit")
    expect(admin.locator("h1")).to_contain_text(re.compile("Site visit|现场巡检"))
    watch.check()
