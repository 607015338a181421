"""The builder's permissions in the browser's place: an admin sets a role's rights and field
rules in the matrix, sees the form as that role would, and the dry run of publishing lists
the change; a foreman cannot reach the page; the page speaks Chinese."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.web.helpers import post
from tests.web.test_admin_builder import draft_url

SignIn = Callable[[str], FlaskClient]
ZH = {"Accept-Language": "zh-CN"}


def project_draft(client: FlaskClient) -> str:
    response = post(client, "/admin/builder/packs/construction", {"module": "project"})
    return draft_url(response)


def matrix(client: FlaskClient, url: str) -> dict[str, Any]:
    """The form as the page shows it: each select's chosen option, each checked box."""
    page = client.get(f"{url}/permissions").text
    form: dict[str, Any] = {}
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        form[name] = chosen.group(1) if chosen else ""
    boxes = r'<input type="checkbox" name="([^"]+)" value="([^"]+)"[^>]* checked'
    for name, value in re.findall(boxes, page):
        if name.endswith(".scope"):
            form.setdefault(name, []).append(value)
        else:
            form[name] = value
    return form


def pack_of(client: FlaskClient, url: str) -> dict[str, Any]:
    return json.loads(client.get(f"{url}/download").data)


def test_an_admin_grants_a_role_and_hides_a_field_and_views_the_form_as_the_role(
    sign_in: SignIn,
):
    client = sign_in("admin")
    url = project_draft(client)
    assert "/permissions" in client.get(url).text  # reached from the editor
    form = matrix(client, url)
    assert form["foreman.f.budget"] == "hidden" and form["site_manager.create"] == "1"
    form.update({"planner.create": "1", "planner.read": "own", "planner.update": "own"})
    form.update({"planner.f.name": "read", "viewer.f.client": "hidden"})
    saved = post(client, f"{url}/permissions", {**form, "as": "planner"})
    assert saved.status_code == 303 and "as=planner" in saved.headers["Location"]
    project = next(m for m in pack_of(client, url)["modules"] if m["id"] == "project")
    assert project["permissions"]["planner"] == {
        "create": True,
        "read": "own",
        "update": "own",
        "fields": {"name": "read"},
    }
    assert project["permissions"]["viewer"]["fields"]["client"] == "hidden"
    assert project["permissions"]["foreman"]["fields"]["budget"] == "hidden"  # kept as it was
    # view as role: the planner sees the name as text, the viewer does not see the client
    planner = client.get(f"{url}/permissions?as=planner").text
    preview = planner[planner.index('id="view-as-title"') :]
    assert 'name="d.code"' in preview and 'name="d.name"' not in preview
    assert "Project name" in preview  # read-only: shown as text, not an input
    viewer = client.get(f"{url}/permissions?as=viewer").text
    preview = viewer[viewer.index('id="view-as-title"') :]
    assert 'name="d.client"' not in preview and "d.budget" not in preview
    assert 'name="d.client"' in planner[planner.index('id="view-as-title"') :]
    # publishing's dry run lists the permission change
    review = post(client, f"{url}/publish")
    assert review.status_code == 200
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", review.text))
    assert "Permissions" in said and "planner" in said and "all → own" in said


def test_an_impossible_choice_is_refused_and_nothing_is_saved(sign_in: SignIn):
    client = sign_in("admin")
    url = project_draft(client)
    form = {**matrix(client, url), "planner.read": "mine", "viewer.scope": "name"}
    refused = post(client, f"{url}/permissions", form)
    assert refused.status_code == 422 and "none, own or all" in refused.text
    project = next(m for m in pack_of(client, url)["modules"] if m["id"] == "project")
    assert project["permissions"]["planner"] == {"read": "all"}
    zh = post(client, f"{url}/permissions", form, headers=ZH)
    assert zh.status_code == 422 and "谁可以做什么" in zh.text and "只能是无、本人或全部" in zh.text


def test_a_foreman_cannot_reach_the_permissions(sign_in: SignIn):
    admin = sign_in("admin")
    url = project_draft(admin)
    foreman = sign_in("foreman")
    assert foreman.get(f"{url}/permissions").status_code == 403
    assert post(foreman, f"{url}/permissions", {"planner.read": "all"}).status_code == 403


def test_an_admin_adds_a_role_which_gets_a_row_and_is_offered_in_the_workflow(sign_in: SignIn):
    client = sign_in("admin")
    url = project_draft(client)
    hint = client.get(f"{url}/permissions/role-id", query_string={"title_en": "Quality inspector"})
    assert "quality_inspector" in hint.text
    added = post(client, f"{url}/permissions/roles",
                 {"title_en": "Quality inspector", "title_zh": "质检员"})  # fmt: skip
    assert added.status_code == 303 and "as=quality_inspector" in added.headers["Location"]
    roles = pack_of(client, url)["roles"]
    assert {
        "id": "quality_inspector",
        "title": {"en": "Quality inspector", "zh-CN": "质检员"},
    } in roles
    form = matrix(client, url)
    assert form["quality_inspector.read"] == "none"  # a row of its own, no rights yet
    form.update({"quality_inspector.read": "all"})
    assert post(client, f"{url}/permissions", form).status_code == 303
    project = next(m for m in pack_of(client, url)["modules"] if m["id"] == "project")
    assert project["permissions"]["quality_inspector"] == {"read": "all"}
    again = client.get(f"{url}/permissions/role-id", query_string={"title_en": "Quality inspector"})
    assert "quality_inspector_2" in again.text  # the first one is taken now
    assert post(client, f"{url}/workflow/start").status_code == 303
    workflow = client.get(f"{url}/workflow").text
    assert 'name="roles" value="quality_inspector"' in workflow
    assert 'value="role:quality_inspector"' in workflow


@pytest.mark.parametrize(
    ("role_id", "english", "chinese"),
    [
        ("admin", "There is a role admin already", "已有角色 admin"),
        ("foreman", "There is a role foreman already", "已有角色 foreman"),
        ("Bad Id", "Bad Id is not a valid id", "Bad Id 不是有效的标识"),
    ],
)
def test_a_role_id_taken_or_invalid_is_refused_and_nothing_is_saved(
    sign_in: SignIn, role_id: str, english: str, chinese: str
):
    client = sign_in("admin")
    url = project_draft(client)
    before = pack_of(client, url)["roles"]
    hint = client.get(f"{url}/permissions/role-id", query_string={"role_id": role_id})
    assert 'data-taken="1"' in hint.text and english in html.unescape(hint.text)
    form = {"role_id": role_id, "title_en": "Someone"}
    refused = post(client, f"{url}/permissions/roles", form)
    assert refused.status_code == 422 and english in html.unescape(refused.text)
    assert 'value="Someone"' in refused.text  # what was typed is kept
    zh = post(client, f"{url}/permissions/roles", form, headers=ZH)
    assert zh.status_code == 422 and chinese in html.unescape(zh.text)
    assert pack_of(client, url)["roles"] == before


def test_a_hostile_role_title_stays_text(sign_in: SignIn):
    client = sign_in("admin")
    url = project_draft(client)
    hostile = '<script>alert("x")</script><b>boss</b>'
    added = post(client, f"{url}/permissions/roles", {"role_id": "boss", "title_en": hostile})
    assert added.status_code == 303
    assert pack_of(client, url)["roles"][-1] == {"id": "boss", "title": {"en": hostile}}
    for page in (f"{url}/permissions", f"{url}/permissions?as=boss"):
        text = client.get(page).text
        assert "&lt;script&gt;alert(" in text and "<script>alert(" not in text
        assert "<b>boss</b>" not in text
