"""An administrator watches the state machine follow the forms as they type, in the builder.

Starts a draft of the installed pack, adds a role on the permissions page (its id made from
the English title as it is typed), gives the module a workflow, types a new state's title
and sees the drawing show it at once — no save, no reload, and the draft's JSON without it
until Add is pressed. Then a transition for the new role into that state, a due time of two
days on `submitted` whose passing fires it (drawn dashed, "automatic"), a due time that is
not a number refused beside the form with the drawing left as it was, and the publication
through the review; the admin console's drawing of the installed workflow shows the same.
Screenshots at 1280 and 390 px wide go to tests/e2e/screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import as_admin
from tests.e2e.test_builder_fields import shoot

WORDS = {
    "en": {
        "automatic": "automatic",
        "hold": "Hold for inspection",
        "refused": "not a due time",
        "due": "2 d",
    },
    "zh-CN": {"automatic": "自动", "hold": "待检", "refused": "不是有效的期限", "due": "2天"},
}


def draft_json(page: Any, draft: str) -> dict[str, Any]:
    """The draft's pack as the JSON download gives it (the same signed-in browser)."""
    response = page.context.request.get(f"{draft}/download")
    assert response.ok
    return json.loads(response.text())


def add_role(admin: Any) -> None:
    admin.click("a[href$='/permissions']")
    admin.wait_for_load_state("load")  # htmx listens from then on: typing earlier says nothing
    admin.fill("#role-title-en", "Quality inspector")
    admin.fill("#role-title-zh", "质检员")
    expect(admin.locator("#role-id-hint")).to_contain_text("quality_inspector")
    admin.click("#role-add button[type=submit]")
    expect(admin.locator("select[name='quality_inspector.read']")).to_be_visible()


def type_a_state_live(admin: Any, draft: str) -> None:
    """The drawing shows a state being typed before it is saved; the draft does not have it."""
    admin.evaluate("window.notReloaded = true")
    add = admin.locator("form.wf-add")
    add.locator("input[name=title_en]").press_sequentially("On hold", delay=30)
    add.locator("input[name=title_zh]").fill("暂停")
    drawn = admin.locator("#wf-drawing g.wf-state[data-state='on_hold']")
    expect(drawn).to_be_visible()
    expect(admin.locator("#wf-live[data-live='1']")).to_be_visible()
    assert admin.evaluate("window.notReloaded") is True
    assert "on_hold" not in draft_json(admin, draft)["modules"][0]["workflow"]["states"]
    with admin.expect_navigation():
        add.locator("button[type=submit]").click()
    expect(admin.locator("#state-on_hold")).to_be_attached()
    assert "on_hold" in draft_json(admin, draft)["modules"][0]["workflow"]["states"]


def add_transitions(admin: Any, words: dict[str, str]) -> None:
    new = admin.locator("#transition-new")
    new.locator("input[name=title_en]").fill("Hold for inspection")
    new.locator("input[name=title_zh]").fill("待检")
    new.locator("input[name=from][value=submitted]").check()
    new.locator("select[name=to]").select_option("on_hold")
    new.locator("input[name=roles][value=quality_inspector]").check()
    new.locator("select[name=approver]").select_option("role:quality_inspector")
    expect(
        admin.locator("#wf-drawing g.wf-edge[data-transition='hold_for_inspection']")
    ).to_be_visible()
    new.locator("button[type=submit]").click()
    expect(admin.locator("#transition-hold_for_inspection")).to_be_attached()
    new = admin.locator("#transition-new")
    new.locator("input[name=title_en]").fill("Release")
    new.locator("input[name=title_zh]").fill("放行")
    new.locator("input[name=from][value=on_hold]").check()
    new.locator("select[name=to]").select_option("submitted")
    new.locator("button[type=submit]").click()
    expect(admin.locator("#transition-release")).to_be_attached()
    expect(admin.locator("#wf-drawing svg")).to_contain_text(words["hold"])


def set_due(admin: Any, words: dict[str, str], draft: str) -> None:
    admin.locator("details:has(#state-submitted) > summary").click()
    form = admin.locator("#state-submitted")
    form.locator("input[name=due]").fill("2")
    form.locator("select[name=due_unit]").select_option("days")
    form.locator("select[name=on_due]").select_option("hold_for_inspection")
    auto = admin.locator("#wf-drawing g.wf-edge-auto[data-transition='hold_for_inspection']")
    expect(auto).to_have_count(1)
    submitted = admin.locator("#wf-drawing g[data-state='submitted']")
    expect(submitted).to_contain_text(words["due"])
    expect(submitted.locator(".wf-clock")).to_have_count(1)
    expect(admin.locator("#wf-drawing svg")).to_contain_text(words["automatic"])
    # a due time that is not a number: the reason beside the form, the drawing kept
    form.locator("input[name=due]").fill("two")
    expect(admin.locator("#wf-reason-state-submitted")).to_contain_text(words["refused"])
    expect(auto).to_have_count(1)
    form.locator("input[name=due]").fill("2")
    expect(admin.locator("#wf-reason-state-submitted")).to_be_empty()
    with admin.expect_navigation():
        form.locator("button[type=submit]:not([formaction])").click()
    expect(admin.locator("#wf-drawing g.wf-edge-auto")).to_have_count(1)
    expect(admin.locator("#wf-live")).not_to_have_attribute("data-live", "1")
    state = draft_json(admin, draft)["modules"][0]["workflow"]["states"]["submitted"]
    assert state["due"] == "P2D" and state["on_due"] == "hold_for_inspection"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_drawing_follows_the_forms_and_the_published_workflow_keeps_it(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    words = WORDS[language]
    admin = as_admin(new_page, live_server, language)
    admin.goto(f"{live_server.url}/admin/builder/packs/construction")
    admin.click("form[action$='/packs/construction'] button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()
    draft = admin.url.split("?")[0].split("#")[0]
    module = draft_json(admin, draft)["modules"][0]["id"]
    add_role(admin)
    shoot(admin, screenshots, "role-added", language)
    admin.goto(f"{draft}/workflow")
    admin.click("form[action$='/workflow/start'] button[type=submit]")
    expect(admin.locator("#wf-drawing svg")).to_be_visible()
    type_a_state_live(admin, draft)
    add_transitions(admin, words)
    set_due(admin, words, draft)
    expect(admin.locator("#state-submitted input[name=due]")).to_be_visible()  # opened by #state-…
    drawing = screenshots / f"builder-workflow-live-drawing-{language}.png"
    admin.locator("#wf-drawing").screenshot(path=str(drawing))
    shoot(admin, screenshots, "workflow-live", language)
    admin.click("form[action$='/publish'] button[type=submit]")
    admin.click("form.confirm-publish button[type=submit]")
    expect(admin.locator("main")).not_to_contain_text("cannot be published")
    admin.goto(f"{live_server.url}/admin/workflow/{module}")
    installed = admin.locator("#wf-drawing svg")
    expect(installed.locator("g.wf-state[data-state='on_hold']")).to_be_visible()
    expect(installed.locator("g.wf-edge-auto[data-from='submitted']")).to_have_count(1)
    expect(installed.locator("g.wf-state[data-state='submitted'] .wf-clock")).to_have_count(1)
    shoot(admin, screenshots, "workflow-published", language)
    watch.check()
