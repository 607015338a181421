"""An administrator runs the console in a browser, in English and in Chinese.

Upgrades the construction pack (a new field), reads the diff and imports it; sees a
breaking version refused with the count of records it would hurt; restores the previous
version. Creates a site manager with a grant on one project, who signs in elsewhere and
sees only that project's records until the admin deactivates them. The audit trail shows
each step. Screenshots at 1280 and 390 px wide go to tests/e2e/screenshots/.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.bundled import CURRENT, LATER, NEXT
from tests.e2e.conftest import LiveServer, Watch
from tests.web.helpers import ROOT

BASE = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
LANGUAGES = ["en", "zh-CN"]


def upgrade_pack(version: str) -> dict[str, Any]:
    """The bundled pack at `version` with one more field on projects."""
    pack = copy.deepcopy(BASE)
    pack["version"] = version
    project = pack["modules"][0]
    project["schema"]["properties"]["site_phone"] = {
        "type": "string",
        "title": {"en": "Site phone", "zh-CN": "现场电话"},
        "maxLength": 40,
    }
    project["ui"]["layout"][0]["fields"].append("site_phone")
    return pack


def breaking_pack(version: str) -> dict[str, Any]:
    """The bundled pack at `version` without the projects' client, which 3 records hold."""
    pack = copy.deepcopy(BASE)
    pack["version"] = version
    project = pack["modules"][0]
    del project["schema"]["properties"]["client"]
    project["ui"]["layout"][0]["fields"].remove("client")
    project["ui"]["list"]["search"].remove("client")
    for row in pack["seed"]["project"]:
        row.pop("client", None)
    return pack


def write(path: Path, pack: dict[str, Any]) -> Path:
    path.write_text(json.dumps(pack, ensure_ascii=False, indent=2), "utf-8")
    return path


def sign_in(page: Any, server: LiveServer, name: str, password: str | None = None) -> None:
    page.goto(server.url + "/")
    page.fill("#sign-in-name", name)
    page.fill("#sign-in-password", password or server.password)
    page.click("form[action='/sign-in'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text(re.compile("Good to see you|你好"))


def as_admin(new_page: Any, server: LiveServer, language: str) -> Any:
    """The admin signed in; for Chinese the language is chosen with the switch."""
    page = new_page()
    sign_in(page, server, "admin")
    if language == "zh-CN":
        page.click("button[name='language'][value='zh-CN']")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.click("a.admin-link")
    expect(page.locator(".admin-tabs")).to_be_visible()
    return page


def shoot(page: Any, folder: Path, name: str, language: str) -> None:
    """A full-page screenshot at desk width and one at phone width (same page, resized)."""
    page.screenshot(path=str(folder / f"admin-{name}-{language}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(folder / f"admin-{name}-{language}-phone.png"), full_page=True)
    page.set_viewport_size(DESK)


def fits_phone(page: Any) -> None:
    """At 390 px the page never scrolls sideways; wide tables scroll inside their wrap."""
    page.set_viewport_size(PHONE)
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 390.5 && !e.closest('.table-wrap'))
            .map(e => e.tagName + '.' + e.className)"""
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESK)
    assert width <= 390, wide


def trail_rows(page: Any) -> Any:
    return page.locator("table.audit-trail tbody tr")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_admin_upgrades_a_pack_is_refused_a_breaking_one_and_restores(
    language: str,
    live_server: LiveServer,
    new_page: Any,
    watch: Watch,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    watch.expected_statuses.add(("/admin/packs/import", 409))  # the breaking pack, refused
    admin = as_admin(new_page, live_server, language)
    admin.click("a[href='/admin/packs/']")
    expect(admin.locator("#pack-construction")).to_contain_text(CURRENT)

    # (a) upload the upgrade, read what it changes, import it
    admin.click("a[href='/admin/packs/import']")
    admin.set_input_files("#pack-file", str(write(tmp_path / "up.json", upgrade_pack(NEXT))))
    admin.click("form.pack-import button[type=submit]")
    expect(admin.locator(".pack-summary")).to_contain_text(CURRENT)
    expect(admin.locator(".pack-summary")).to_contain_text(NEXT)
    expect(admin.locator("table.pack-diff tr", has_text="project.site_phone")).to_have_count(1)
    expect(admin.locator("pre.ddl")).to_contain_text("site_phone")
    shoot(admin, screenshots, "pack-diff", language)
    admin.click("form.confirm-import button[type=submit]")
    expect(admin.locator(".flash-success")).to_contain_text(NEXT)
    expect(admin.locator("#pack-construction")).to_contain_text(NEXT)

    # the same file again: nothing to do, and the page says so
    admin.click("a[href='/admin/packs/import']")
    admin.set_input_files("#pack-file", str(tmp_path / "up.json"))
    admin.click("form.pack-import button[type=submit]")
    expect(admin.locator(".pack-unchanged")).to_contain_text(NEXT)

    # (b) a version that drops the projects' client is refused, with the records it holds
    admin.goto(live_server.url + "/admin/packs/import")
    admin.set_input_files("#pack-file", str(write(tmp_path / "br.json", breaking_pack(LATER))))
    admin.click("form.pack-import button[type=submit]")
    refused = admin.locator(".pack-refused")
    expect(refused).to_contain_text("client")
    expect(refused).to_contain_text("3")
    expect(refused).to_contain_text("/modules/0/schema/properties")
    expect(admin.locator(".json-line-note").first).to_be_visible()
    shoot(admin, screenshots, "pack-refused", language)
    admin.goto(live_server.url + "/admin/packs/")
    expect(admin.locator("#pack-construction")).to_contain_text(NEXT)  # nothing changed

    # (c) restore the first version from the history, after its confirmation
    admin.click("#pack-construction a[href='/admin/packs/construction/history']")
    admin.click(f"a.restore-link[href$='/restore/{CURRENT}']")
    expect(admin.locator("table.pack-diff")).to_contain_text("project.site_phone")
    admin.click("form.confirm-restore button[type=submit]")
    expect(admin.locator(".flash-success")).to_contain_text(CURRENT)
    installed = admin.locator("table.pack-versions tr", has=admin.locator(".badge-green"))
    expect(installed).to_contain_text(CURRENT)
    shoot(admin, screenshots, "pack-history", language)

    # the audit trail shows the import and the restore, by the admin
    admin.click("a[href='/admin/audit/']")
    admin.select_option("#audit-action", "pack")
    admin.click("form.audit-filters button[type=submit]")
    expect(admin).to_have_url(re.compile(r"/admin/audit/\?action=pack"))
    expect(trail_rows(admin)).to_have_count(3)  # restore, upgrade, the first install
    expect(trail_rows(admin).first.locator("del")).to_have_text(NEXT)
    expect(trail_rows(admin).first.locator("ins")).to_have_text(CURRENT)
    expect(trail_rows(admin).nth(1)).to_contain_text("admin")
    expect(trail_rows(admin).nth(1).locator("ins", has_text=NEXT)).to_have_count(1)
    fits_phone(admin)
    shoot(admin, screenshots, "audit-packs", language)
    watch.check()


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_admin_creates_a_scoped_user_then_deactivates_them(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)

    # (d) a site manager with an initial password shown once, then a grant on one project
    admin.click("a[href='/admin/users/']")
    admin.click("a[href='/admin/users/new']")
    admin.fill("#user-name", "li.wei")
    admin.fill("#user-display-name", "李伟")
    admin.check("input[name='roles'][value='site_manager']")
    admin.click("form.user-form button[type=submit]")
    password = admin.locator("#new-password").input_value()
    assert len(password) >= 12
    admin.click("a[href='/admin/users/li.wei']")
    grant = admin.locator("form.grant-form", has=admin.locator("input[value='project']"))
    grant.locator("input[type=search]").fill("Innovation")
    innovation = grant.locator("select option", has_text="Innovation")
    expect(innovation).to_have_count(1)
    grant.locator("select").select_option(value=innovation.get_attribute("value"))
    grant.locator("button[type=submit]").click()
    expect(admin.locator("#grants table")).to_contain_text("Innovation")
    shoot(admin, screenshots, "user", language)

    # the new user, in a browser of their own, sees only the granted project's records
    user = new_page(locale=language)
    sign_in(user, live_server, "li.wei", password)
    user.goto(live_server.url + "/m/labour_tally")
    rows = user.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    for n in range(2):
        expect(rows.nth(n)).to_contain_text("Innovation")
    expect(user.locator("table.data tbody")).not_to_contain_text("Riverside")
    shoot(user, screenshots, "scoped-user", language)

    # (e) deactivated, after a confirmation: the user's open page stops on the next click
    admin.click("a[href='/admin/users/li.wei/deactivate']")
    shoot(admin, screenshots, "user-deactivate", language)
    admin.click("form[action='/admin/users/li.wei/deactivate'] button[type=submit]")
    expect(admin.locator("a[href='/admin/users/li.wei/deactivate']")).to_have_count(0)
    user.click("table.data tbody tr a >> nth=0")
    expect(user.locator("#sign-in-name")).to_be_visible()
    shoot(user, screenshots, "deactivated-user", language)
    user.goto(live_server.url + "/m/labour_tally")
    expect(user.locator("#sign-in-name")).to_be_visible()

    # the audit trail: creation, grant and deactivation by the admin, before → after
    admin.goto(live_server.url + "/admin/audit/?actor=admin&target=li.wei")
    expect(trail_rows(admin)).to_have_count(3)
    expect(trail_rows(admin).first.locator("del")).to_have_count(1)  # active: yes → no
    expect(trail_rows(admin).nth(1)).to_contain_text("project")
    expect(trail_rows(admin).nth(2)).to_contain_text("site_manager")
    fits_phone(admin)
    shoot(admin, screenshots, "audit-users", language)
    watch.check()
