"""An administrator gives a module a workflow in the builder and edits it in forms.

Starts a draft of the installed pack, opens Workflow from the editor, adds the first
workflow, a state nothing reaches (flagged in the drawing) and a transition with a role
and an approval quorum, which the drawing then shows. Screenshots at 1280 and 390 px
wide go to tests/e2e/screenshots/.
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
def test_an_admin_edits_a_workflow_and_sees_it_drawn(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)
    admin.goto(f"{live_server.url}/admin/builder/packs/construction")
    admin.click("form[action$='/packs/construction'] button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()
    admin.click("a[href$='/workflow']")
    admin.click("form[action$='/workflow/start'] button[type=submit]")
    expect(admin.locator("#wf-drawing svg")).to_be_visible()
    add_state = admin.locator("form.wf-add")
    add_state.locator("input[name=title_en]").fill("Archived")
    add_state.locator("input[name=title_zh]").fill("已归档")
    add_state.locator("button[type=submit]").click()
    # The live drawing of the unsaved state shows the same problem; wait for the saved page.
    expect(admin.locator("form#state-archived")).to_be_attached()
    expect(
        admin.locator(".wf-problems li[data-code='diagram_unreachable'][data-state='archived']")
    ).to_have_count(1)
    new = admin.locator("#transition-new")
    new.locator("input[name=title_en]").fill("Send back")
    new.locator("input[name=title_zh]").fill("退回")
    new.locator("input[name=from][value=submitted]").check()
    new.locator("select[name=to]").select_option("draft")
    new.locator("input[name=roles][value=site_manager]").check()
    new.locator("select[name=approver]").select_option("role:site_manager")
    new.locator("input[name=quorum]").fill("all")
    new.locator("button[type=submit]").click()
    expect(admin.locator("details:has(#transition-send_back) summary")).to_contain_text("send_back")
    expect(admin.locator("#wf-drawing svg")).to_contain_text(
        "退回" if language != "en" else "Send back"
    )
    shoot(admin, screenshots, "workflow", language)
    watch.check()
