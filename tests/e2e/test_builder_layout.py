"""An administrator arranges a module's form in sections in the builder, in English and Chinese.

Opens a draft of the installed pack, goes from the field editor to Form layout, adds a
section with its first field, drags a field from another section into it with the mouse,
moves a third one there with its "move to" list (the path for keyboards and phones), and
sees each land under the new section's title in the live preview — the real form. A
section left without a field is refused beside it. Screenshots at 1280 and 390 px wide go
to tests/e2e/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import DESK, PHONE, as_admin
from tests.e2e.test_builder_fields import drag, shoot

TITLES = {"en": "Site", "zh-CN": "现场"}


def in_section(page: Any, title: str, field: str) -> Any:
    """The preview's input of `field` inside the section titled `title`."""
    section = page.locator("#builder-preview fieldset.section").filter(
        has=page.locator(f"legend:text-is('{title}')")
    )
    return section.locator(f"[name='d.{field}']")


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_admin_drags_fields_between_sections_and_the_preview_follows(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)
    admin.goto(f"{live_server.url}/admin/builder/packs/construction")
    admin.click("form[action$='/packs/construction'] button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()
    admin.click("a[href$='/layout']")
    expect(admin.locator("#layout-form")).to_be_visible()

    title = TITLES[language]
    add = admin.locator("form.layout-add")
    add.locator("input[name=title_en]").fill("Site")
    add.locator("input[name=title_zh]").fill("现场")
    add.locator("select[name=columns]").select_option("2")
    add.locator("select[name=field]").select_option("location")
    add.locator("button[type=submit]").click()
    expect(in_section(admin, title, "location")).to_be_visible()

    # a real mouse drag of "client" from the first section into the new one
    admin.set_viewport_size({"width": 1280, "height": 2600})
    new = admin.locator(".layout-chips[data-section='5']")
    source = admin.locator(".layout-chip[data-name=client] .drag-handle")
    drag(admin, source, new.locator(".layout-chip").first)
    expect(new.locator(".layout-chip[data-name=client]")).to_have_count(1)
    expect(in_section(admin, title, "client")).to_be_visible()

    # without dragging: the "move to" list of "manager" sends it to the same section
    admin.select_option("#move-manager", "5")
    expect(
        admin.locator(".layout-chips[data-section='5'] .layout-chip[data-name=manager]")
    ).to_have_count(1)
    expect(in_section(admin, title, "manager")).to_be_visible()
    expect(admin.locator("#move-manager")).to_be_focused()
    admin.set_viewport_size({"width": 1280, "height": 900})
    shoot(admin, screenshots, "layout", language)
    admin.set_viewport_size(PHONE)  # the new section's card as a phone shows it
    admin.locator("#section-5").screenshot(
        path=str(screenshots / f"builder-layout-section-{language}-phone.png")
    )
    admin.set_viewport_size(DESK)

    # the only field of "Notes" moved out: refused beside that section, nothing changed
    here = admin.url.split("?")[0].split("#")[0].removeprefix(live_server.url)
    watch.expected_statuses.add((here, 422))
    admin.select_option("#move-notes", "5")
    expect(admin.locator("#section-4 .builder-problems")).to_be_visible()
    expect(
        admin.locator(".layout-chips[data-section='4'] .layout-chip[data-name=notes]")
    ).to_have_count(1)
    shoot(admin, screenshots, "layout-refused", language)
    admin.reload()
    expect(in_section(admin, title, "manager")).to_be_visible()
    watch.check()
