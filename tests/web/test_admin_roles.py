"""Roles in the admin console: who holds each role and what it may do in every module,
read from the same permissions the services enforce, for administrators only."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from tests.web.helpers import post, sign_in_as

ZH = {"Accept-Language": "zh-CN"}


def cell(page: str, module: str, action: str) -> str:
    """The text of one matrix cell, tags removed."""
    row = re.search(rf'<tr data-module="{module}"[^>]*>(.*?)</tr>', page, re.S)
    assert row, f"no row for {module}"
    found = re.search(rf'data-action="{action}">(.*?)</td>', row.group(1), re.S)
    assert found, f"no {action} cell in {module}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def column(page: str, module: str, name: str) -> str:
    row = re.search(rf'<tr data-module="{module}"[^>]*>(.*?)</tr>', page, re.S)
    assert row
    found = re.search(rf'data-column="{name}">(.*?)</td>', row.group(1), re.S)
    assert found
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_the_index_lists_every_declared_role_with_its_active_users(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.create_user(session, "lee", "long-password-9", roles=["foreman"])
        accounts.deactivate_user(session, "lee")
    admin = sign_in("admin")
    page = admin.get("/admin/roles/")
    assert page.status_code == 200
    for role in ("admin", "foreman", "site_manager", "accountant", "planner", "viewer"):
        assert f'data-role="{role}"' in page.text
    foreman = re.search(r'data-role="foreman">.*?data-count="(\d+)"', page.text, re.S)
    assert foreman and foreman.group(1) == "1"  # the demo foreman; lee is deactivated
    assert "1 deactivated" in page.text
    assert 'href="/admin/roles/site_manager"' in page.text
    assert "Site manager" in page.text


def test_a_role_page_draws_what_the_pack_allows(sign_in: Callable[[str], FlaskClient]) -> None:
    admin = sign_in("admin")
    page = admin.get("/admin/roles/site_manager").text
    assert 'data-user="manager"' in page
    # project: all rows, no delete; cost centre: own updates, rows scoped by project
    assert cell(page, "project", "read") == "✓ all"
    assert cell(page, "project", "delete") == "— Not allowed"
    assert cell(page, "cost_centre", "read") == "scoped by Project"
    assert cell(page, "cost_centre", "update") == "own, scoped by Project"
    assert 'data-level="scoped"' in page and 'data-level="all"' in page
    assert "Approve" in column(page, "labour_tally", "steps")
    assert "Submit" not in column(page, "labour_tally", "steps")  # the foreman's step


def test_hidden_fields_and_an_administrator_who_may_do_everything(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    admin = sign_in("admin")
    foreman = admin.get("/admin/roles/foreman").text
    assert "Contract value, Target cost" in column(foreman, "project", "hidden")
    assert cell(foreman, "labour_tally", "update") == "own"
    assert cell(foreman, "fund", "read") == "— Not allowed"
    everything = admin.get("/admin/roles/admin").text
    assert cell(everything, "fund", "delete") == "✓ all"
    assert cell(everything, "fund", "import") == "✓"
    assert column(everything, "fund", "hidden").strip() == "—"


def test_roles_in_chinese(sign_in: Callable[[str], FlaskClient]) -> None:
    admin = sign_in("admin")
    index = admin.get("/admin/roles/", headers=ZH).text
    assert "角色" in index and "项目经理" in index and "班组长" in index
    page = admin.get("/admin/roles/site_manager", headers=ZH).text
    assert "项目经理" in page and "全部" in page and "本人，按所属项目限定" in page


def test_an_unknown_role_is_not_found(sign_in: Callable[[str], FlaskClient]) -> None:
    assert sign_in("admin").get("/admin/roles/astronaut").status_code == 404


@pytest.mark.parametrize("url", ["/admin/roles/", "/admin/roles/foreman"])
def test_only_administrators_see_roles(app: Flask, url: str) -> None:
    foreman = app.test_client()
    assert sign_in_as(foreman, "foreman").status_code == 302
    for refused in (foreman.get(url), post(foreman, url)):
        assert refused.status_code == 403
        assert "Hidden fields" not in refused.text and "data-role" not in refused.text
    # read-only pages: a POST is no route, which only an administrator learns
    admin = app.test_client()
    assert sign_in_as(admin, "admin").status_code == 302
    assert post(admin, url).status_code == 405
    visitor = app.test_client().get(url)
    assert visitor.status_code == 302 and "/sign-in" in visitor.headers["Location"]
