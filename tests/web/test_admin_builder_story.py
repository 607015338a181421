"""The builder's whole story over HTTP, as tests/e2e/test_builder_story.py does it in a browser:
an admin builds a module from nothing, users fill, submit and approve it, the admin upgrades
it and exports the pack, which imports into a fresh instance unchanged. And the live
preview's child tables, which gain and lose rows for a module not installed yet."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.web.helpers import post
from tests.web.test_admin_builder import build_visit

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
