"""An administrator types expressions into the builder's editor, in English and in Chinese.

Each keystroke is checked after a pause, without a page reload: a misspelt field is
underlined with a caret and a close name offered, the completion inserts it, and the
formula's value for the sample record shows and follows a change to the sample. A show_if
that is not a condition is refused in the admin's language. Screenshots at 1280 and 390 px.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import as_admin

TRY = "/admin/builder/expression/try?pack=construction&module=labour_tally"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def shoot(page: Any, folder: Path, name: str, language: str) -> None:
    page.screenshot(path=str(folder / f"builder-{name}-{language}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{name} is {width}px wide at phone width"
    page.screenshot(path=str(folder / f"builder-{name}-{language}-phone.png"), full_page=True)
    page.set_viewport_size(DESK)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_typing_an_expression_is_checked_as_it_is_typed(
    new_page: Any, live_server: LiveServer, watch: Watch, screenshots: Path, language: str
) -> None:
    zh = language == "zh-CN"
    admin = as_admin(new_page, live_server, language)
    admin.goto(live_server.url + TRY)
    result = admin.locator("#expr-text-result")
    expect(result).to_be_empty()  # nothing typed, nothing said
    admin.evaluate("window.notReloaded = true")

    editor = admin.locator("#expr-text")
    editor.press_sequentially("amount / hourz", delay=20)
    problem = result.locator("li[data-code='unknown_name']")
    expect(problem).to_be_visible()
    expect(problem.locator(".expression-caret")).to_contain_text("^")
    expect(problem).to_contain_text("您是否想写 hours" if zh else "Did you mean hours?")
    shoot(admin, screenshots, "expression-problem", language)

    editor.press("Backspace")  # "hour": the completion offers hours
    admin.locator("[data-insert-name='hours']").click()
    expect(editor).to_have_value("amount / hours")
    expect(result.locator("[data-sample-result] code")).to_have_text(re.compile(r"^8\.50*$"))
    expect(result).to_contain_text("结果为数字" if zh else "it gives number")

    sample = admin.locator("#expression-sample")
    sample.fill('{"items": [{"hours": 4, "rate": 10}, {"hours": 4, "rate": 20}]}')
    sample.blur()
    expect(result.locator("[data-sample-result] code")).to_have_text(re.compile(r"^15(\.0+)?$"))
    shoot(admin, screenshots, "expression-ok", language)
    assert admin.evaluate("window.notReloaded") is True  # all of it without a reload

    admin.select_option("select[name='where']", "show_if")
    admin.click("form.expression-place button[type=submit]")
    admin.locator("#expr-text").press_sequentially("hours + 1", delay=20)
    refused = admin.locator("#expr-text-result li[data-code='builder_expr_not_condition']")
    expect(refused).to_contain_text("不是条件" if zh else "not a condition")
    watch.check()
