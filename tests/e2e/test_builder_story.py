"""The builder's whole story in a real browser, in English and in Chinese.

An admin builds a module from nothing — a new pack, a required supplier, a child table of
items whose amount is a formula, a money total summing them, an internal note — gives it a
submit-and-approve workflow with an approval by a role and hides the note from that role,
and publishes it through the dry-run review. The admin grants the roles on the user pages;
the foreman fills the form, rows included, and submits it; the manager approves it from the
inbox and does not see the note. The admin adds a field and publishes the upgrade (the record
keeps its data), downloads the pack from the admin console, and it imports into a fresh
database with the command line and exports there the same. Screenshots at 1280 and 390 px
go to tests/e2e/screenshots/story_<language>_<step>.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import DESK, PHONE, as_admin
from tests.e2e.test_labour_tally_flow import sign_in

ROOT = Path(__file__).resolve().parents[2]
WORDS = {
    "en": {"approved": "Approved", "note": "Internal note", "date": "Delivery date"},
    "zh-CN": {"approved": "已批准", "note": "内部备注", "date": "交货日期"},
}


class Story:
    """The pages of one run: where screenshots go and in which language."""

    def __init__(self, server: LiveServer, new_page: Any, folder: Path, language: str):
        self.server, self.new_page, self.folder, self.language = server, new_page, folder, language

    def shoot(self, page: Any, step: str) -> None:
        name = f"story_{self.language}_{step}"
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(self.folder / f"{name}_phone.png"), full_page=True)
        page.set_viewport_size(DESK)

    def user(self, name: str) -> Any:
        """A person signed in on a browser of their own, in the story's language."""
        page = self.new_page()
        sign_in(page, self.server, name)
        if self.language == "zh-CN":  # the page's language switch, as a person chooses it
            page.click("button[name='language'][value='zh-CN']")
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        return page


# -- the admin builds -----------------------------------------------------------------------


def start_module(admin: Any, story: Story) -> None:
    admin.click("p.builder-entry a")
    admin.click("a[href='/admin/builder/new']")
    for selector, value in (
        ("#b-pack-id", "purchasing"),
        ("#b-pack-en", "Purchasing"),
        ("#b-pack-zh", "采购"),
        ("#b-module-id", "purchase"),
        ("#b-title-en", "Purchase request"),
        ("#b-title-zh", "采购申请"),
        ("#b-numbering", "PR-{seq:4}"),
        ("#b-title-field", "supplier"),
    ):
        admin.fill(selector, value)
    story.shoot(admin, "start")
    admin.click("form.builder-start button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()


def swapped(admin: Any, action: Any) -> None:
    """Do `action` and wait until htmx has swapped the editor for the answer."""
    admin.evaluate("document.querySelector('#builder-main').dataset.stale = '1'")
    action()
    expect(admin.locator("#builder-main[data-stale]")).to_have_count(0)
    expect(admin.locator("#builder-main")).to_be_visible()


def add_field(admin: Any, kind: str, en: str, zh: str, form: str = "form.builder-add") -> None:
    add = admin.locator(form).last
    add.locator(f"input[name=kind][value={kind}]").check()
    add.locator("input[name=label_en]").fill(en)
    add.locator("input[name=label_zh]").fill(zh)
    expect(add.locator(".id-hint")).to_be_visible()  # the id offered as the label is typed
    swapped(admin, lambda: add.locator("button[type=submit]").click())
    shown = zh if admin_zh(admin) else en
    expect(admin.locator(".builder-field-list li", has_text=shown).first).to_be_visible()


def admin_zh(page: Any) -> bool:
    return page.locator("html").get_attribute("lang") == "zh-CN"


def save_settings(admin: Any, formula: str = "", scale: str = "", money: bool = False) -> None:
    if formula:
        admin.fill("#expr-formula", formula)
        expect(admin.locator("#expr-formula-result .expression-ok")).to_be_visible()
    if scale:
        admin.fill("#f-scale", scale)
    if money:
        admin.check("form.builder-field-form input[type=checkbox][name=money]")
    swapped(admin, lambda: admin.click("form.builder-field-form button[type=submit]"))
    expect(admin.locator(".builder-problems")).to_have_count(0)


def add_fields(admin: Any) -> None:
    """Four fields: a required supplier, items with a formula, a money total, a note."""
    add_field(admin, "text", "Supplier", "供应商")
    admin.check("form.builder-field-form input[name=required]")
    save_settings(admin)
    add_field(admin, "table", "Items", "明细")
    columns = "#builder-field form.builder-add"
    for kind, en, zh in (
        ("text", "Description", "说明"),
        ("decimal", "Qty", "数量"),
        ("money", "Unit price", "单价"),
        ("formula", "Amount", "金额"),
    ):
        admin.click(".builder-field-list li[data-name=items] > a")
        add_field(admin, kind, en, zh, form=columns)
    save_settings(admin, formula="qty * unit_price", scale="2")
    add_field(admin, "formula", "Total", "合计")
    save_settings(admin, formula="sum(items.amount)", scale="2", money=True)
    add_field(admin, "text", "Internal note", "内部备注")


def try_the_preview(admin: Any, story: Story) -> None:
    """Sample rows in the live preview: Add row draws a row; formulas work it out."""
    preview = admin.locator("#builder-preview")
    rows = preview.locator("#table-items [name$='.qty']").count()  # sample rows, if any
    for index in range(rows):
        preview.locator(f"[name='d.items.{index}.qty']").fill("1")
        preview.locator(f"[name='d.items.{index}.unit_price']").fill("1")
    preview.locator("#table-items button[value='add:items']").click()
    preview.locator(f"[name='d.items.{rows}.qty']").fill("4")
    preview.locator(f"[name='d.items.{rows}.unit_price']").fill("1.25")
    expect(admin.locator(f"#calc-items-{rows}-amount")).to_have_text("5.00")
    expect(admin.locator("#calc-total")).to_contain_text(f"{rows + 5}.00")
    story.shoot(admin, "editor")


def to_editor(admin: Any) -> None:
    """Back to the draft's editor by the page's own link."""
    path = "/admin/builder/d/" + admin.url.split("/d/")[1].split("/")[0].split("?")[0]
    admin.click(f".page-head a[href='{path}']")
    expect(admin.locator("#builder-preview")).to_be_visible()


def add_roles(admin: Any) -> None:
    """The pack's own roles: one who requests, one who approves (ids from the titles)."""
    admin.click(".builder-actions a[href$='/permissions']")
    for role, en, zh in (("requester", "Requester", "申请人"), ("approver", "Approver", "审批人")):
        admin.wait_for_load_state("load")  # htmx listens from then on: typing earlier says nothing
        form = admin.locator("form.builder-role-add")
        form.locator("input[name=title_en]").fill(en)
        form.locator("input[name=title_zh]").fill(zh)
        expect(form.locator(".id-hint")).to_contain_text(role)  # the id offered as typed
        form.locator("button[type=submit]").click()
        expect(admin.locator(f"select[name='{role}.read']")).to_be_visible()


def set_workflow(admin: Any, story: Story) -> None:
    """Draft → submitted → approved: the requester submits, the approver role approves."""
    to_editor(admin)
    admin.click(".builder-actions a[href$='/workflow']")
    admin.click("form[action$='/workflow/start'] button[type=submit]")
    expect(admin.locator("#wf-drawing svg")).to_be_visible()
    admin.click("details:has(#transition-submit) summary")
    submit = admin.locator("#transition-submit")
    submit.locator("input[name=roles][value=requester]").check()
    submit.locator("select[name=comment]").select_option("none")  # one click, no dialog
    submit.locator("button[type=submit]").first.click()
    admin.click("details:has(#transition-approve) summary")
    approve = admin.locator("#transition-approve")
    approve.locator("input[name=roles][value=approver]").check()
    approve.locator("select[name=approver]").select_option("role:approver")
    approve.locator("input[name=quorum]").fill("any")
    approve.locator("button[type=submit]").first.click()
    expect(admin.locator("details:has(#transition-approve) summary")).to_contain_text("any")
    expect(admin.locator("#wf-drawing svg")).to_contain_text(
        "审批人" if story.language == "zh-CN" else "Approver"
    )
    story.shoot(admin, "workflow")


def set_permissions(admin: Any, story: Story) -> None:
    """The requester creates and works on their own; the note is hidden from the approver."""
    to_editor(admin)
    admin.click(".builder-actions a[href$='/permissions']")
    form = admin.locator("form.builder-perms")
    form.locator("input[name='requester.create']").check()
    form.locator("select[name='requester.read']").select_option("own")
    form.locator("select[name='requester.update']").select_option("own")
    form.locator("select[name='approver.read']").select_option("all")
    form.locator("select[name='approver.f.internal_note']").select_option("hidden")
    form.locator("button[type=submit]").click()
    as_requester = admin.locator(".builder-view-as form")  # the first role is shown first
    rows = as_requester.locator("#table-items [name$='.qty']").count()
    as_requester.locator("#table-items button[value='add:items']").click()
    expect(as_requester.locator(f"[name='d.items.{rows}.qty']")).to_be_visible()
    admin.click(".builder-view-as nav a[href$='as=approver']")
    view = admin.locator(".builder-view-as form")
    expect(view.locator("[name='d.supplier']")).to_be_visible()
    expect(view.locator("[name='d.internal_note']")).to_have_count(0)
    story.shoot(admin, "permissions")


def publish(admin: Any, story: Story, version: str, step: str) -> None:
    """The dry-run review first, then the confirmation."""
    admin.click("form[action$='/publish'] button[type=submit]")
    expect(admin.locator(".pack-summary")).to_contain_text(version)
    story.shoot(admin, step)
    admin.click("form.confirm-publish button[type=submit]")
    expect(admin.locator("#pack-purchasing")).to_contain_text(version)


def grant(admin: Any, story: Story, name: str, role: str) -> None:
    admin.goto(f"{story.server.url}/admin/users/{name}")
    admin.check(f"input[name=roles][value={role}]")
    admin.click("form[action$='/details'] button[type=submit]")
    expect(admin.locator(f"input[name=roles][value={role}]")).to_be_checked()


# -- the users ----------------------------------------------------------------------------


def fill_and_submit(foreman: Any, story: Story) -> str:
    """The foreman fills the form, two rows of items, sees the total and submits."""
    foreman.goto(f"{story.server.url}/m/purchase/new")
    foreman.fill("[name='d.supplier']", "Acme Steel")
    foreman.fill("[name='d.internal_note']", "call before delivery")
    for index, (what, qty, price) in enumerate((("Rebar", "10", "2.50"), ("Mesh", "4", "1.25"))):
        if index:
            foreman.click("#table-items button[value='add:items']")
        foreman.fill(f"[name='d.items.{index}.description']", what)
        foreman.fill(f"[name='d.items.{index}.qty']", qty)
        foreman.fill(f"[name='d.items.{index}.unit_price']", price)
    expect(foreman.locator("#calc-total")).to_contain_text("30.00")
    story.shoot(foreman, "form")
    foreman.click("form.record-form button[type=submit]:not([name])")
    expect(foreman.locator("h1")).to_contain_text("PR-0001")
    expect(foreman.locator("main")).to_contain_text("30.00")
    foreman.click("button[data-step=submit]")
    expect(foreman.locator(".notice, .flash").first).to_be_visible()
    story.shoot(foreman, "submitted")
    return foreman.url.split("?")[0]


def approve_from_inbox(manager: Any, story: Story, record: str) -> None:
    manager.goto(f"{story.server.url}/inbox")
    row = manager.locator("table.inbox tr", has_text="PR-0001")
    story.shoot(manager, "inbox")
    row.locator("button[data-step=approve]").click()
    expect(manager.locator("table.inbox tr", has_text="PR-0001")).to_have_count(0)
    manager.goto(record)
    expect(manager.locator("main .badge").first).to_contain_text(WORDS[story.language]["approved"])
    expect(manager.locator("main")).to_contain_text("Acme Steel")
    expect(manager.locator("main")).not_to_contain_text("call before delivery")
    expect(manager.locator("main")).not_to_contain_text(WORDS[story.language]["note"])
    story.shoot(manager, "approved")


# -- the admin upgrades and moves the pack ------------------------------------------------


def upgrade(admin: Any, story: Story, record: str) -> None:
    """A delivery date more, published as 1.1.0; the record keeps its values."""
    admin.goto(f"{story.server.url}/admin/builder/packs/purchasing")
    admin.click("form[action$='/packs/purchasing'] button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()
    add_field(admin, "date", "Delivery date", "交货日期")
    publish(admin, story, "1.1.0", "upgrade")
    admin.goto(record)
    main = admin.locator("main")
    for kept in ("PR-0001", "Acme Steel", "Rebar", "Mesh", "30.00", "call before delivery"):
        expect(main).to_contain_text(kept)
    expect(main).to_contain_text(WORDS[story.language]["date"])
    story.shoot(admin, "upgraded")


def formwork(folder: Path, *args: str) -> str:
    """The command line on the fresh database, as a separate process."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'fresh.db'}",
        "SECRET_KEY": "story",
        "FORMWORK_UPLOADS": str(folder / "uploads"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "web", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def export_and_import_elsewhere(admin: Any, story: Story, folder: Path) -> None:
    admin.goto(f"{story.server.url}/admin/packs/")
    with admin.expect_download() as download:
        admin.click("#pack-purchasing a[download]")
    exported = folder / "purchasing.json"
    download.value.save_as(exported)
    formwork(folder, "init-db")
    formwork(folder, "packs", "import", str(exported))
    formwork(folder, "packs", "export", "purchasing", "-o", str(folder / "again.json"))
    pack = json.loads(exported.read_text("utf-8"))
    assert json.loads((folder / "again.json").read_text("utf-8")) == pack
    assert pack["version"] == "1.1.0" and pack["modules"][0]["id"] == "purchase"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_admin_builds_a_module_users_work_with_it_and_it_moves_to_a_fresh_instance(
    language: str,
    live_server: LiveServer,
    new_page: Any,
    watch: Watch,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    story = Story(live_server, new_page, screenshots, language)
    admin = as_admin(new_page, live_server, language)
    start_module(admin, story)
    add_fields(admin)
    try_the_preview(admin, story)
    add_roles(admin)
    set_workflow(admin, story)
    set_permissions(admin, story)
    to_editor(admin)
    publish(admin, story, "1.0.0", "review")
    grant(admin, story, "foreman", "requester")
    grant(admin, story, "manager", "approver")
    record = fill_and_submit(story.user("foreman"), story)
    approve_from_inbox(story.user("manager"), story, record)
    upgrade(admin, story, record)
    export_and_import_elsewhere(admin, story, tmp_path)
    watch.check()
