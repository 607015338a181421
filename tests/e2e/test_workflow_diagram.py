"""An administrator reads a module's state machine in the browser and tries a change.

From the packs list to the drawing of the funds flow, in English and Chinese, at 1280 and
390 px: every state drawn, the legend below, nothing scrolling the page sideways; then a
state added in the try-a-change box is redrawn flagged as unreachable and a dead end, and
text that is not JSON is answered in place. Screenshots go to tests/e2e/screenshots/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import LANGUAGES, as_admin, fits_phone

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_reads_the_funds_flow_and_tries_a_change(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path, language: str
) -> None:
    page = as_admin(new_page, live_server, language)
    page.click(".admin-tabs a[href='/admin/packs/']")
    page.click("a[data-workflow='fund']")
    expect(page.locator("svg.wf-svg g.wf-state")).to_have_count(6)
    expect(page.locator(".wf-ok")).to_be_visible()
    expect(page.locator(".wf-legend li")).to_have_count(7)  # with the automatic arrow
    fits_phone(page)
    page.screenshot(path=str(screenshots / f"workflow-fund-{language}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshots / f"workflow-fund-{language}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    workflow = json.loads(page.locator("#wf-source").input_value())
    workflow["states"]["parked"] = {"title": {"en": "Parked", "zh-CN": "搁置"}}
    page.click("details.wf-try summary")
    page.fill("#wf-source", json.dumps(workflow))
    expect(page.locator("svg.wf-svg g.wf-state")).to_have_count(7)
    expect(page.locator(".wf-problems li")).to_have_count(2)
    expect(
        page.locator("g.wf-state.wf-unreachable.wf-dead-end[data-state='parked']")
    ).to_be_visible()
    page.screenshot(path=str(screenshots / f"workflow-flagged-{language}.png"), full_page=True)

    watch.expected_statuses.add(("/admin/workflow/draw", 422))
    page.fill("#wf-source", "{not json")
    expect(page.locator("[data-refused='true']")).to_contain_text(
        re.compile("not valid JSON|不是有效的 JSON")
    )
    page.goto(live_server.url + "/admin/workflow/labour_tally")
    expect(page.locator("svg.wf-svg g.wf-state")).to_have_count(4)
    fits_phone(page)
    page.screenshot(path=str(screenshots / f"workflow-tally-{language}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    expect(page.locator(".wf-scroll-hint")).to_be_visible()
    page.screenshot(path=str(screenshots / f"workflow-tally-{language}-phone.png"), full_page=True)
    watch.check()
