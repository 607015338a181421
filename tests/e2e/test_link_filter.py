"""A link filter on a list: only its choice is rendered; the records come when asked for."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in


def test_the_project_filter_loads_its_options_when_used_and_filters_the_list(
    live_server: LiveServer, new_page: Any, watch: Watch
) -> None:
    page = new_page()
    sign_in(page, live_server, "manager")
    page.goto(live_server.url + "/m/labour_tally")
    select = page.locator("select[name='filter[project]']")
    expect(select.locator("option")).to_have_count(1)  # "All": no project read yet
    select.focus()
    expect(select.locator("option", has_text="Riverside")).to_have_count(1)
    assert page.url == live_server.url + "/m/labour_tally"  # loading options is no navigation
    controls = select.get_attribute("id")
    search = page.locator(f"input.picker-search[aria-controls='{controls}']")
    search.fill("Innovation")
    expect(select.locator("option", has_text="Riverside")).to_have_count(0)
    expect(select.locator("option", has_text="Innovation")).to_have_count(1)
    select.select_option(label=select.locator("option", has_text="Innovation").inner_text())
    expect(page).to_have_url(re.compile(r"filter(%5B|\[)project(%5D|\])=[0-9a-f]{32}"))
    expect(page.locator("tbody tr", has_text="Riverside")).to_have_count(0)
    watch.check()
