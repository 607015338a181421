"""The builder's whole story over HTTP, as tests/e2e/test_builder_story.py does it in a browser:
an admin builds a module from nothing, users fill, submit and approve it, the admin upgrades
it and exports the pack, which imports into a fresh instance unchanged. And the live
preview's child tables, which gain and lose rows for a module not installed yet."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import post, sign_in_as
from tests.web.test_admin_builder import add, build_visit, draft_url, save
from web.cli import cli

SignIn = Callable[[str], FlaskClient]


def test_the_preview_adds_rows_to_a_child_table_of_a_module_not_installed(sign_in: SignIn):
    client = sign_in("admin")
    url = build_visit(client)
    page = client.get(url).text
    rows_url = f"{url}/preview/rows"
    assert f'hx-post="{rows_url}"' in page  # the preview's Add row posts to the draft
    assert client.post("/m/visit/rows").status_code in (400, 404)  # no installed module

    one = post(client, rows_url, {"_action": "add:items"})
    assert one.status_code == 200, one.text
    assert 'id="table-items"' in one.text and 'name="d.items.0.qty"' in one.text
    assert f'hx-post="{rows_url}"' in one.text  # its buttons keep to the draft

    typed = {"_rows.items": "1", "d.items.0.qty": "3", "d.items.0.price": "2.50"}
    two = post(client, rows_url, {**typed, "_action": "add:items"})
    assert two.status_code == 200
    assert 'name="d.items.1.qty"' in two.text
    assert re.search(r'id="calc-items-0-line"[^>]*>7\.50<', two.text), two.text

    both = {**typed, "_rows.items": "2", "d.items.1.qty": "5", "d.items.1.price": "1"}
    gone = post(client, rows_url, {**both, "_action": "remove:items:0"})
    assert gone.status_code == 200
    assert 'name="d.items.1.qty"' not in gone.text
    assert 'name="d.items.0.qty" value="5"' in gone.text  # the first row went, the second moved up


def test_the_preview_rows_refuse_a_forged_action_and_another_admins_draft(sign_in: SignIn):
    client = sign_in("admin")
    url = build_visit(client)
    assert post(client, f"{url}/preview/rows", {"_action": "add:inspector"}).status_code == 400
    assert post(client, f"{url}/preview/rows", {"_action": "drop:items"}).status_code == 400
    unknown = "/admin/builder/d/" + "0" * 32 + "/preview/rows"
    assert post(client, unknown, {"_action": "add:items"}).status_code == 404
    assert "Add row" in html.unescape(client.get(f"{url}/preview").text)


# -- the story ----------------------------------------------------------------------------

WORDS = {
    "en": {
        "review": "Nothing has been written yet",
        "published": "Published: pack purchasing is now at version",
    },
    "zh-CN": {"review": "目前尚未写入任何内容", "published": "已发布：模块包 purchasing 现为版本"},
}


def _user(app: Flask, name: str, language: str) -> FlaskClient:
    """A client of its own for each person, in the story's language (the page's switch)."""
    client = app.test_client()
    assert sign_in_as(client, name).status_code == 302
    post(client, "/language", {"language": language})
    return client


def _build(admin: FlaskClient) -> str:
    """The module from nothing: a new pack, four fields, a workflow, roles, permissions."""
    url = draft_url(
        post(
            admin,
            "/admin/builder/new",
            {
                "pack": "_new",
                "pack_id": "purchasing",
                "pack_title_en": "Purchasing",
                "pack_title_zh": "采购",
                "module_id": "purchase",
                "title_en": "Purchase request",
                "title_zh": "采购申请",
                "numbering": "PR-{seq:4}",
                "title_field": "supplier",
            },
        )
    )
    supplier = add(admin, url, "text", "Supplier", label_zh="供应商")
    save(admin, url, supplier, label_en="Supplier", label_zh="供应商", required="on")
    items = add(admin, url, "table", "Items", label_zh="明细")
    add(admin, url, "text", "Description", label_zh="说明", table=items)
    add(admin, url, "decimal", "Qty", label_zh="数量", table=items)
    add(admin, url, "money", "Unit price", label_zh="单价", table=items)
    amount = add(admin, url, "formula", "Amount", label_zh="金额", table=items)
    saved = save(admin, url, amount, label_en="Amount", label_zh="金额", table=items,
                 formula="qty * unit_price", scale="2")  # fmt: skip
    assert saved.status_code == 303, saved.text
    total = add(admin, url, "formula", "Total", label_zh="合计")
    saved = save(admin, url, total, label_en="Total", label_zh="合计",
                 formula="sum(items.amount)", scale="2", money="on")  # fmt: skip
    assert saved.status_code == 303, saved.text
    add(admin, url, "text", "Internal note", label_zh="内部备注")
    _roles_and_workflow(admin, url)
    return url


def _roles_and_workflow(admin: FlaskClient, url: str) -> None:
    for role, en, zh in (("requester", "Requester", "申请人"), ("approver", "Approver", "审批人")):
        added = post(
            admin, f"{url}/permissions/roles", {"role_id": role, "title_en": en, "title_zh": zh}
        )
        assert added.status_code == 303, added.text
    assert post(admin, f"{url}/workflow/start").status_code == 303
    steps = {
        "submit": {"title_en": "Submit", "title_zh": "提交", "from": ["draft"],
                   "to": "submitted", "roles": ["requester"], "owner_only": "on"},
        "approve": {"title_en": "Approve", "title_zh": "批准", "from": ["submitted"],
                    "to": "approved", "roles": ["approver"], "approver": "role:approver",
                    "quorum": "any"},
    }  # fmt: skip
    for name, form in steps.items():
        saved = post(admin, f"{url}/workflow/transitions/{name}", form)
        assert saved.status_code == 303, saved.text
    matrix = {
        "requester.create": "1", "requester.read": "own", "requester.update": "own",
        "approver.read": "all", "approver.f.internal_note": "hidden",
    }  # fmt: skip
    assert post(admin, f"{url}/permissions", matrix).status_code == 303


def _publish(admin: FlaskClient, url: str, language: str) -> None:
    """The dry run first (nothing written), then the confirmation."""
    review = post(admin, f"{url}/publish")
    assert review.status_code == 200, review.text
    assert WORDS[language]["review"] in html.unescape(review.text)
    stamp = re.search(r'name="reviewed" value="([^"]+)"', review.text)
    assert stamp, review.text
    done = post(admin, f"{url}/publish/confirm", {"reviewed": html.unescape(stamp.group(1))})
    assert done.status_code == 303, done.text
    flashed = html.unescape(admin.get(done.headers["Location"]).text)
    assert WORDS[language]["published"] in flashed


def _grant(admin: FlaskClient, name: str, roles: list[str]) -> None:
    saved = post(admin, f"/admin/users/{name}/details", {"display_name": name, "roles": roles})
    assert saved.status_code in (302, 303), saved.text


def _fill_and_submit(foreman: FlaskClient) -> str:
    form = {
        "d.supplier": "Acme Steel",
        "d.internal_note": "call before delivery",
        "_rows.items": "2",
        "d.items.0.description": "Rebar",
        "d.items.0.qty": "10",
        "d.items.0.unit_price": "2.50",
        "d.items.1.description": "Mesh",
        "d.items.1.qty": "4",
        "d.items.1.unit_price": "1.25",
    }
    created = post(foreman, "/m/purchase/new", form)
    assert created.status_code == 303, created.text
    record = created.headers["Location"]
    page = html.unescape(foreman.get(record).text)
    assert "PR-0001" in page and "Acme Steel" in page and "30.00" in page
    version = re.search(r'name="_version" value="(\d+)"', page)
    submitted = post(
        foreman, f"{record}/t/submit", {"_version": version.group(1) if version else ""}
    )
    assert submitted.status_code == 303, submitted.text
    return record


def _approve_from_inbox(manager: FlaskClient, record: str, language: str) -> None:
    inbox = html.unescape(manager.get("/inbox").text)
    assert "PR-0001" in inbox and 'data-step="approve"' in inbox
    version = re.search(r'name="_version" value="(\d+)"', inbox)
    assert version, inbox
    form = {"_version": version.group(1), "next": "inbox"}
    voted = post(manager, f"{record}/t/approve", form)
    assert voted.status_code == 303 and voted.headers["Location"].endswith("/inbox")
    page = html.unescape(manager.get(record).text)
    assert ("Approved" if language == "en" else "已批准") in page
    assert "Acme Steel" in page and "30.00" in page
    assert "call before delivery" not in page  # hidden from the approver's role
    assert ("Internal note" if language == "en" else "内部备注") not in page


def _upgrade(admin: FlaskClient, record: str, language: str) -> None:
    """A field more, published as 1.1.0; the record keeps what it held."""
    opened = post(admin, "/admin/builder/packs/purchasing", {"module": "purchase"})
    assert opened.status_code == 303
    url = draft_url(opened)
    add(admin, url, "date", "Delivery date", label_zh="交货日期")
    _publish(admin, url, language)
    page = html.unescape(admin.get(record).text)
    for kept in ("PR-0001", "Acme Steel", "Rebar", "Mesh", "30.00", "call before delivery"):
        assert kept in page, kept
    assert ("Delivery date" if language == "en" else "交货日期") in page


def _imports_unchanged_elsewhere(admin: FlaskClient, folder: Path) -> None:
    """The exported pack imports into a fresh database and exports there the same."""
    exported = admin.get("/admin/packs/purchasing/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers.get("Content-Disposition", "")
    source = folder / "purchasing.json"
    source.write_bytes(exported.data)
    runner = CliRunner(env={"DATABASE_URL": f"sqlite:///{folder / 'fresh.db'}"})
    for args in (["init-db"], ["packs", "import", str(source)]):
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    again = folder / "again.json"
    result = runner.invoke(cli, ["packs", "export", "purchasing", "-o", str(again)])
    assert result.exit_code == 0, result.output
    pack = json.loads(exported.data)
    assert json.loads(again.read_text("utf-8")) == pack
    assert pack["version"] == "1.1.0"
    module = pack["modules"][0]
    total = module["schema"]["properties"]["total"]
    assert (total["x-formula"], total["x-format"], total["x-scale"]) == (
        "sum(items.amount)",
        "money",
        2,
    )
    assert module["permissions"]["approver"]["fields"] == {"internal_note": "hidden"}
    approve = module["workflow"]["transitions"][1]
    assert approve["approval"] == {"quorum": "any", "approvers": {"role": "approver"}}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_admin_builds_a_module_that_users_fill_approve_and_that_moves_elsewhere(
    app: Flask, tmp_path: Path, language: str
):
    admin = _user(app, "admin", language)
    url = _build(admin)
    _publish(admin, url, language)
    _grant(admin, "foreman", ["foreman", "requester"])
    _grant(admin, "manager", ["site_manager", "approver"])
    record = _fill_and_submit(_user(app, "foreman", language))
    _approve_from_inbox(_user(app, "manager", language), record, language)
    _upgrade(admin, record, language)
    _imports_unchanged_elsewhere(admin, tmp_path)


def test_the_form_seen_as_a_role_adds_rows_as_that_role(app: Flask):
    admin = _user(app, "admin", "en")
    url = _build(admin)
    page = admin.get(f"{url}/permissions?as=requester").text
    rows_url = f"{url}/preview/rows?as=requester"
    assert f'hx-post="{rows_url}"' in page
    added = post(admin, rows_url, {"_action": "add:items"})
    assert added.status_code == 200 and f'hx-post="{rows_url}"' in added.text
    assert 'name="d.items.0.qty"' in added.text
    assert post(admin, f"{url}/preview/rows?as=nobody", {"_action": "add:items"}).status_code == 404


def test_a_number_is_marked_as_money_and_unmarked_in_its_settings(sign_in: SignIn):
    client = sign_in("admin")
    url = build_visit(client)  # its total is a money field

    def total() -> dict[str, object]:
        pack = json.loads(client.get(f"{url}/download").data)
        return pack["modules"][0]["schema"]["properties"]["total"]

    page = client.get(f"{url}?field=total").text
    assert re.search(r'name="money" value="on" checked', page)
    assert save(client, url, "total", label_en="Total", money="off").status_code == 303
    assert "x-format" not in total() and total()["x-scale"] == 2
    assert save(client, url, "total", label_en="Total", money="on").status_code == 303
    assert total()["x-format"] == "money"
    assert save(client, url, "total", label_en="Total").status_code == 303  # no box: as it was
    assert total()["x-format"] == "money"
