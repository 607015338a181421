"""An administrator sets a module's permissions in the builder and views the form as a role.

Starts a draft of the installed pack, opens Permissions from the editor, gives the planner
create + read own + update own with the name read-only, hides the client from the viewer,
saves, and views the form as each: the read-only name is text, the hidden client is gone.
Screenshots at 1280 and 390 px wide go to tests/e2e/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import as_admin
from tests.e2e.test_builder_fields import shoot


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_admin_sets_permissions_and_views_the_form_as_a_role(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)
    admin.goto(f"{live_server.url}/admin/builder/packs/construction")
    admin.click("form[action$='/packs/construction'] button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()
    admin.click("a[href$='/permissions']")
    form = admin.locator("form.builder-perms")
    form.locator("input[name='planner.create']").check()
    form.locator("select[name='planner.read']").select_option("own")
    form.locator("select[name='planner.update']").select_option("own")
    form.locator("select[name='planner.f.name']").select_option("read")
    form.locator("select[name='viewer.f.client']").select_option("hidden")
    form.locator("button[type=submit]").click()
    admin.click(".builder-view-as nav a[href$='as=planner']")
    view = admin.locator(".builder-view-as")
    expect(view.locator("[name='d.code']")).to_be_visible()
    expect(view.locator("[name='d.name']")).to_have_count(0)
    expect(admin.locator("select[name='planner.read']")).to_have_value("own")
    shoot(admin, screenshots, "permissions", language)
    admin.click(".builder-view-as nav a[href$='as=viewer']")
    expect(view.locator("[name='d.client']")).to_have_count(0)
    expect(view.locator("[name='d.budget']")).to_have_count(0)
    watch.check()
