"""Users in the admin console: an administrator creates, edits, grants, resets, deactivates
and reactivates, each change checked in the data and in the admin trail; nobody else may."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.admin_log import TrailQuery, admin_events
from engine.db import make_engine, make_session_factory, transaction
from tests.web.helpers import PASSWORD, post, project_id, sign_in_as
from web.cli import cli

SHOWN_PASSWORD = re.compile(r'id="new-password" class="token" readonly value="([^"]+)"')

ROUTES = [
    ("GET", "/admin/users/"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/viewer"),
    ("POST", "/admin/users/viewer/details"),
    ("POST", "/admin/users/viewer/password"),
    ("GET", "/admin/users/viewer/deactivate"),
    ("POST", "/admin/users/viewer/deactivate"),
    ("POST", "/admin/users/viewer/reactivate"),
    ("GET", "/admin/users/viewer/tokens/1/revoke"),
    ("POST", "/admin/users/viewer/tokens/1/revoke"),
    ("POST", "/admin/users/viewer/grants"),
    ("GET", "/admin/users/manager/grants/remove?module=project&record_id=1"),
    ("POST", "/admin/users/manager/grants/remove"),
]


def _factory(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["formwork"].session_factory


def _user(app: Flask, name: str) -> tuple[bool, list[str], str | None, list[tuple[str, str]]]:
    """(active, roles, display name, grants) of a user, read from the database."""
    with transaction(_factory(app)) as session:
        user = accounts.get_user(session, name)
        grants = [(g.module, g.record_id) for g in accounts.list_grants(session, user)]
        return user.active, sorted(accounts.role_ids(user)), user.display_name, grants


def _events(app: Flask, action: str) -> list[tuple[str | None, str, object, object]]:
    """The administrator's events of an action (or group), newest first."""
    with transaction(_factory(app)) as session:
        page = admin_events(session, TrailQuery(actor="admin", action=action))
        return [(e.actor, e.target, e.before, e.after) for e in page.events]


def _admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert sign_in_as(client, "admin").status_code == 302
    return client


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_a_foreman_is_refused_every_users_page_and_action(
    app: Flask, sign_in: Callable[[str], FlaskClient], method: str, url: str
) -> None:
    client = sign_in("foreman")
    if method == "GET":
        response = client.get(url)
    else:
        data = {"name": "mallory", "password_mode": "type", "password": "long enough 1"}
        response = post(client, url, {**data, "roles": ["admin"], "module": "project"})
    assert response.status_code == 403
    assert "Reset password" not in response.text and "New user" not in response.text
    assert _user(app, "viewer") == (True, ["viewer"], "Viewer", [])
    assert len(_user(app, "manager")[3]) == 3
    with transaction(_factory(app)) as session:
        assert accounts.get_user(session, "foreman").active
        assert "mallory" not in {u.name for u in accounts.list_users(session)}


def test_the_list_shows_roles_grants_sign_in_and_state_and_filters(app: Flask) -> None:
    admin = _admin(app)
    with transaction(_factory(app)) as session:
        accounts.deactivate_user(session, "planner")
    page = admin.get("/admin/users/")
    assert page.status_code == 200
    for name in ("admin", "foreman", "manager", "planner", "site_manager", "never"):
        assert name in page.text
    row = page.text.split('href="/admin/users/manager"')[1].split("</tr>")[0]
    assert ">3</td>" in row  # the manager is granted the three projects
    assert "deactivated" in page.text.split('href="/admin/users/planner"')[1].split("</tr>")[0]
    only_gone = admin.get("/admin/users/?state=deactivated").text
    assert "/admin/users/planner" in only_gone and "/admin/users/foreman" not in only_gone
    found = admin.get("/admin/users/?q=account").text
    assert "/admin/users/accountant" in found and "/admin/users/viewer" not in found


def test_a_long_users_list_is_paged_keeping_its_search(app: Flask) -> None:
    with transaction(_factory(app)) as session:
        for n in range(60):
            accounts.create_user(session, f"worker{n:02d}", "long enough 1", ["foreman"])
    admin = _admin(app)
    first = admin.get("/admin/users/?q=worker").text
    assert first.count('href="/admin/users/worker') == 50
    assert "60 users" in first and "1 / 2" in first
    assert "/admin/users/worker00" in first and "/admin/users/worker50" not in first
    second = admin.get("/admin/users/?q=worker&page=2").text
    assert second.count('href="/admin/users/worker') == 10
    assert "/admin/users/worker59" in second and "/admin/users/worker00" not in second
    assert 'href="/admin/users/?q=worker&amp;page=1"' in second
    past_the_end = admin.get("/admin/users/?q=worker&page=99999999999")
    assert past_the_end.status_code == 200 and "/admin/users/worker00" in past_the_end.text
    chinese = admin.get("/admin/users/?q=worker", headers={"Accept-Language": "zh-CN"}).text
    assert "共 60 个用户" in chinese


def test_a_generated_password_is_shown_once_and_lets_the_user_sign_in(app: Flask) -> None:
    admin = _admin(app)
    created = post(
        admin,
        "/admin/users/new",
        {"name": "ann", "display_name": "安 Ann", "roles": ["viewer"], "password_mode": "generate"},
    )
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    (password,) = SHOWN_PASSWORD.findall(created.text)
    assert len(password) >= 16
    assert _user(app, "ann") == (True, ["viewer"], "安 Ann", [])
    assert password not in admin.get("/admin/users/ann").text
    assert sign_in_as(app.test_client(), "ann", password).status_code == 302
    ((actor, target, before, after),) = _events(app, "user.create")[:1]
    assert (actor, target, before) == ("admin", "user ann", None)
    assert after == {"name": "ann", "display_name": "安 Ann", "roles": ["viewer"]}
    assert password not in str(_events(app, "user"))


def test_a_new_user_with_a_role_and_a_grant_sees_only_the_granted_project(app: Flask) -> None:
    admin = _admin(app)
    typed = {"password_mode": "type", "password": "scaffold-1234"}
    created = post(admin, "/admin/users/new", {"name": "ann", "roles": ["site_manager"], **typed})
    assert created.status_code == 302 and created.headers["Location"] == "/admin/users/ann"
    page = admin.get("/admin/users/ann")
    assert 'hx-get="/m/cost_centre/options/project"' in page.text  # the forms' own picker
    innovation = project_id(app, "PRJ-2026-002")
    assert innovation in page.text
    added = post(admin, "/admin/users/ann/grants", {"module": "project", "d.project": innovation})
    assert added.status_code == 302
    assert _user(app, "ann")[3] == [("project", innovation)]
    assert "Innovation Centre Offices" in admin.get("/admin/users/ann").text
    assert _events(app, "grant.add")[0][:2] == ("admin", "user ann")

    ann = app.test_client()
    assert sign_in_as(ann, "ann", "scaffold-1234").status_code == 302
    costs = ann.get("/m/cost_centre").text
    assert "Scaffold rental" in costs
    assert "Tower crane" not in costs and "Rebar and ready-mix" not in costs


def test_refusals_show_beside_the_input_and_change_nothing(app: Flask) -> None:
    admin = _admin(app)
    typed = {"password_mode": "type"}
    taken = post(admin, "/admin/users/new", {"name": "foreman", "password": "long enough", **typed})
    assert taken.status_code == 422 and "A user of this name already exists." in taken.text
    assert 'id="err-name"' in taken.text
    weak = post(admin, "/admin/users/new", {"name": "ann", "password": "short", **typed})
    assert weak.status_code == 422 and "Use at least 8 characters." in weak.text
    unknown = post(
        admin, "/admin/users/new", {"name": "ann", "password": "long enough", "roles": ["boss"]}
    )
    assert unknown.status_code == 422
    assert "No installed pack declares the role boss." in unknown.text
    with transaction(_factory(app)) as session:
        assert "ann" not in {u.name for u in accounts.list_users(session)}
    edit = post(
        admin, "/admin/users/viewer/details", {"display_name": "Changed", "roles": ["boss"]}
    )
    assert edit.status_code == 422 and 'id="err-roles"' in edit.text
    assert _user(app, "viewer") == (True, ["viewer"], "Viewer", [])  # the name did not change
    bad_grant = post(admin, "/admin/users/viewer/grants", {"module": "project", "d.project": "x"})
    assert bad_grant.status_code == 422 and "does not exist" in bad_grant.text
    assert _events(app, "user.roles") == [] and _events(app, "grant") == []


def test_display_name_and_roles_are_edited_and_traced(app: Flask) -> None:
    admin = _admin(app)
    saved = post(
        admin,
        "/admin/users/viewer/details",
        {"display_name": "审计 Auditor", "roles": ["viewer", "accountant"]},
    )
    assert saved.status_code == 302
    assert _user(app, "viewer") == (True, ["accountant", "viewer"], "审计 Auditor", [])
    assert _events(app, "user.roles") == [
        ("admin", "user viewer", ["viewer"], ["accountant", "viewer"])
    ]
    assert _events(app, "user.update") == [
        ("admin", "user viewer", {"display_name": "Viewer"}, {"display_name": "审计 Auditor"})
    ]


def test_an_admin_cannot_lock_themself_out(app: Flask) -> None:
    admin = _admin(app)
    refused = post(admin, "/admin/users/admin/deactivate")
    assert refused.status_code == 422 and "your own account" in refused.text
    dropped = post(admin, "/admin/users/admin/details", {"roles": ["viewer"]})
    assert dropped.status_code == 422
    assert _user(app, "admin")[:2] == (True, ["admin"])


def test_a_password_reset_ends_the_users_sessions(app: Flask) -> None:
    admin = _admin(app)
    viewer = app.test_client()
    assert sign_in_as(viewer, "viewer").status_code == 302
    reset = post(admin, "/admin/users/viewer/password", {"password_mode": "generate"})
    assert reset.status_code == 200 and reset.headers["Cache-Control"] == "no-store"
    (password,) = SHOWN_PASSWORD.findall(reset.text)
    assert viewer.get("/inbox").status_code == 302  # sent to sign in
    assert sign_in_as(app.test_client(), "viewer").status_code == 401
    assert sign_in_as(app.test_client(), "viewer", password).status_code == 302
    assert _events(app, "user.password")[0][:2] == ("admin", "user viewer")


def test_deactivation_is_confirmed_and_stops_session_and_token_at_once(app: Flask) -> None:
    with transaction(_factory(app)) as session:
        token = accounts.create_token(session, "viewer", "reporting")
    bearer = {"Authorization": f"Bearer {token}"}
    viewer = app.test_client()
    assert sign_in_as(viewer, "viewer").status_code == 302
    assert viewer.get("/inbox").status_code == 200
    assert viewer.get("/api/v1/modules", headers=bearer).status_code == 200

    admin = _admin(app)
    confirm = admin.get("/admin/users/viewer/deactivate")
    assert confirm.status_code == 200 and "1 API token is revoked for good." in confirm.text
    assert _user(app, "viewer")[0] is True  # asking is not doing
    assert post(admin, "/admin/users/viewer/deactivate").status_code == 302
    assert _user(app, "viewer")[0] is False
    stopped = viewer.get("/inbox")
    assert stopped.status_code == 302 and "/sign-in" in stopped.headers["Location"]
    assert viewer.get("/api/v1/modules", headers=bearer).status_code == 401
    ((actor, target, before, after),) = _events(app, "user.deactivate")
    assert (actor, target, before) == ("admin", "user viewer", {"active": True})
    assert after == {"active": False, "tokens_revoked": 1, "sessions_ended": 1}

    assert post(admin, "/admin/users/viewer/reactivate").status_code == 302
    assert _user(app, "viewer")[0] is True
    assert viewer.get("/inbox").status_code == 302  # the old session stays ended
    assert viewer.get("/api/v1/modules", headers=bearer).status_code == 401  # and the token
    assert sign_in_as(app.test_client(), "viewer").status_code == 302
    assert _events(app, "user.reactivate")[0][:2] == ("admin", "user viewer")


def test_the_deactivation_page_speaks_of_tokens_only_when_there_are_some(app: Flask) -> None:
    admin = _admin(app)
    none = admin.get("/admin/users/planner/deactivate").text
    assert "Deactivate Planner?" in none
    said = none.split("<h1>")[1].split("</form>")[0]
    assert "API token" not in said and "revoked for good" not in said
    crumbs = none.split('class="breadcrumb small">')[1].split("</nav>")[0]
    assert 'href="/admin/users/"' in crumbs and 'href="/admin/users/planner"' in crumbs
    with transaction(_factory(app)) as session:
        accounts.create_token(session, "planner", "gantt")
        accounts.create_token(session, "planner", "erp")
    two = admin.get("/admin/users/planner/deactivate").text
    assert "2 API tokens are revoked for good." in two
    zh = admin.get("/admin/users/planner/deactivate", headers={"Accept-Language": "zh-CN"}).text
    assert "2 个 API 令牌将被永久吊销。" in zh
    assert _user(app, "planner")[0] is True


def test_revoking_a_token_is_confirmed_first(app: Flask) -> None:
    with transaction(_factory(app)) as session:
        token = accounts.create_token(session, "manager", "bi")
        (row,) = accounts.list_tokens(session, "manager")
    bearer = {"Authorization": f"Bearer {token}"}
    admin = _admin(app)
    page = admin.get("/admin/users/manager").text
    assert f'href="/admin/users/manager/tokens/{row.id}/revoke"' in page
    assert f'action="/admin/users/manager/tokens/{row.id}/revoke"' not in page  # no one-click

    confirm = admin.get(f"/admin/users/manager/tokens/{row.id}/revoke")
    assert confirm.status_code == 200
    assert "Revoke the API token “bi” of Site manager?" in confirm.text
    assert f'action="/admin/users/manager/tokens/{row.id}/revoke"' in confirm.text
    assert admin.get("/api/v1/modules", headers=bearer).status_code == 200  # asking is not doing
    assert _events(app, "token.revoke") == []

    assert post(admin, f"/admin/users/manager/tokens/{row.id}/revoke").status_code == 302
    assert admin.get("/api/v1/modules", headers=bearer).status_code == 401
    assert _events(app, "token.revoke")[0] == (
        "admin",
        "user manager",
        {"id": row.id, "name": "bi"},
        None,
    )
    assert f"/tokens/{row.id}/revoke" not in admin.get("/admin/users/manager").text
    assert admin.get(f"/admin/users/viewer/tokens/{row.id}/revoke").status_code == 404
    assert post(admin, f"/admin/users/viewer/tokens/{row.id}/revoke").status_code == 404


def test_removing_a_grant_is_confirmed_first(app: Flask) -> None:
    riverside = project_id(app)
    admin = _admin(app)
    page = admin.get("/admin/users/manager").text
    asked = f"/admin/users/manager/grants/remove?module=project&amp;record_id={riverside}"
    assert f'href="{asked}"' in page
    assert 'action="/admin/users/manager/grants/remove"' not in page  # no one-click

    confirm = admin.get(asked.replace("&amp;", "&"))
    assert confirm.status_code == 200
    assert "Riverside Garden Phase II from Site manager?" in confirm.text
    assert f'name="record_id" value="{riverside}"' in confirm.text
    assert ("project", riverside) in _user(app, "manager")[3]  # asking is not doing
    assert _events(app, "grant.remove") == []

    removed = post(
        admin, "/admin/users/manager/grants/remove", {"module": "project", "record_id": riverside}
    )
    assert removed.status_code == 302
    assert ("project", riverside) not in _user(app, "manager")[3]
    assert len(_user(app, "manager")[3]) == 2
    assert _events(app, "grant.remove")[0][2] == {"module": "project", "record_id": riverside}
    gone = admin.get(asked.replace("&amp;", "&"))
    assert gone.status_code == 404  # nothing left to confirm


def test_the_users_pages_speak_chinese(app: Flask) -> None:
    admin = _admin(app)
    zh = {"Accept-Language": "zh-CN"}
    listing = admin.get("/admin/users/", headers=zh).text
    assert "新建用户" in listing and "最近登录" in listing
    page = admin.get("/admin/users/manager", headers=zh).text
    assert "重置密码" in page and "授权" in page and "项目经理" in page
    confirm = admin.get("/admin/users/viewer/deactivate", headers=zh).text
    assert "停用" in confirm
    riverside = project_id(app)
    asked = f"/admin/users/manager/grants/remove?module=project&record_id={riverside}"
    removal = admin.get(asked, headers=zh).text
    assert "移除授权" in removal and "之后可以重新授权" in removal
    with transaction(_factory(app)) as session:
        accounts.create_token(session, "manager", "bi")
        token_id = accounts.list_tokens(session, "manager")[0].id
    revoking = admin.get(f"/admin/users/manager/tokens/{token_id}/revoke", headers=zh).text
    assert "吊销 Site manager 的 API 令牌“bi”？" in revoking and "吊销令牌" in revoking
    refused = post(admin, "/admin/users/new", {"name": "foreman", "password": PASSWORD}, headers=zh)
    assert refused.status_code == 422 and "已存在" in refused.text


def test_the_command_line_deactivates_and_reactivates_leaving_events_without_an_actor(
    database_url: str,
) -> None:
    runner = CliRunner(env={"DATABASE_URL": database_url})
    created = runner.invoke(
        cli, ["users", "create", "ann", "--password-stdin"], input="password-1\n"
    )
    assert created.exit_code == 0, created.output
    for command in ("deactivate", "reactivate"):
        result = runner.invoke(cli, ["users", command, "ann"])
        assert result.exit_code == 0, result.output
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            assert accounts.get_user(session, "ann").active
            page = admin_events(session, TrailQuery(target="user ann"))
            assert [(e.actor, e.action) for e in reversed(page.events)] == [
                (None, "user.create"),
                (None, "user.deactivate"),
                (None, "user.reactivate"),
            ]
    finally:
        engine.dispose()
