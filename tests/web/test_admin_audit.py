"""The audit trail page: an administrator reads every admin action, filters and pages it.

Events come from the engine functions that make the changes (accounts, grants) or from
engine/admin_log.log_admin_action directly; the page only reads them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from engine import accounts, grants
from engine.admin_log import TrailQuery, admin_events, log_admin_action
from engine.db import transaction
from engine.models import AdminEvent
from tests.web.helpers import make_app, post, project_id, sign_in_as

ZH = {"Accept-Language": "zh-CN"}
ROW = re.compile(r"<tr class=\"audit-event\">.*?</tr>", re.S)


def rows(html: str) -> list[str]:
    """The trail's table rows as plain text, first to last."""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in ROW.findall(html)]


def trail_total(app: Flask, **query: str) -> int:
    with transaction(app.extensions["formwork"].session_factory) as session:
        return admin_events(session, TrailQuery(**query)).total  # type: ignore[arg-type]


def test_an_admin_reads_what_changed_newest_first(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    project = project_id(app)
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.set_roles(session, "planner", ["planner", "viewer"], by="admin")
        grants.add_grant(session, "viewer", "project", project, by="admin")
        log_admin_action(
            session, None, "pack.restore", "pack construction",
            before={"version": "1.1.0"}, after={"version": "1.0.0"},
        )  # fmt: skip
    page = sign_in("admin").get("/admin/audit/")
    assert page.status_code == 200
    shown = rows(page.text)
    assert "Pack version restored" in shown[0] and "command line" in shown[0]
    assert "Version: 1.1.0 → 1.0.0" in shown[0]
    assert "<del>1.1.0</del>" in page.text and "<ins>1.0.0</ins>" in page.text
    assert "Grant added" in shown[1] and "admin" in shown[1] and "user viewer" in shown[1]
    assert "Module: project" in shown[1] and '"record_id"' not in page.text
    assert f'<a href="/m/project/r/{project}">{project}</a>' in page.text  # the granted record
    assert "User roles changed" in shown[2] and "user planner" in shown[2]
    assert "<ins>viewer</ins>" in page.text  # the role added, the one kept stays plain
    assert any("User created" in row and "user foreman" in row for row in shown)


def test_filters_narrow_the_trail_and_stay_in_the_url(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.set_roles(session, "planner", ["viewer"], by="admin")
        accounts.deactivate_user(session, "viewer", by="admin")
        session.add(
            AdminEvent(
                at=dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC),
                actor="manager",
                action="token.create",
                target="user manager",
                after={"id": 7, "name": "bi"},
            )
        )
    admin = sign_in("admin")
    by_group = rows(admin.get("/admin/audit/?action=user&actor=admin").text)
    assert len(by_group) == 2
    assert "User deactivated" in by_group[0] and "User roles changed" in by_group[1]
    one = admin.get("/admin/audit/?action=user.roles")
    assert [r for r in rows(one.text) if "user planner" in r] and len(rows(one.text)) == 1
    assert 'value="user.roles" selected' in one.text
    assert len(rows(admin.get("/admin/audit/?target=VIEWER").text)) == 2  # create, deactivate
    old = rows(admin.get("/admin/audit/?from=2025-05-31&to=2025-06-01").text)
    assert len(old) == 1 and "API token created" in old[0] and "2025-06-01 09:30" in old[0]
    assert len(rows(admin.get("/admin/audit/?to=2025-05-31").text)) == 0
    none = admin.get("/admin/audit/?actor=nobody")
    assert "No admin actions match these filters." in none.text


def test_dates_are_days_of_the_firms_time_zone(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path / "uploads", BABEL_DEFAULT_TIMEZONE="Asia/Shanghai")
    with transaction(app.extensions["formwork"].session_factory) as session:
        late = dt.datetime(2025, 6, 1, 20, 30, tzinfo=dt.UTC)  # 2 June, 04:30 in Shanghai
        session.add(AdminEvent(at=late, actor="admin", action="user.update", target="user ann"))
    admin = app.test_client()
    assert sign_in_as(admin, "admin").status_code == 302
    found = rows(admin.get("/admin/audit/?from=2025-06-02&to=2025-06-02").text)
    assert len(found) == 1 and "2025-06-02 04:30" in found[0]
    assert rows(admin.get("/admin/audit/?from=2025-06-01&to=2025-06-01").text) == []
    app.extensions["formwork"].engine.dispose()


def test_the_trail_is_paged(app: Flask, sign_in: Callable[[str], FlaskClient]) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        for n in range(53):
            log_admin_action(session, "admin", "webhook.pause", f"webhook {n}")
    admin = sign_in("admin")
    first = admin.get("/admin/audit/?action=webhook")
    assert len(rows(first.text)) == 50 and "webhook 52" in rows(first.text)[0]
    assert "53 events" in first.text
    assert 'href="/admin/audit/?action=webhook&amp;page=2" rel="next"' in first.text
    second = rows(admin.get("/admin/audit/?action=webhook&page=2").text)
    assert [r.split("webhook ")[-1].split()[0] for r in second] == ["2", "1", "0"]
    past = rows(admin.get("/admin/audit/?action=webhook&page=9").text)
    assert past == second  # past the last page: the last page
    far = admin.get(f"/admin/audit/?action=webhook&page={2**62}")
    assert far.status_code == 200 and rows(far.text) == second


def test_the_trail_speaks_chinese(app: Flask, sign_in: Callable[[str], FlaskClient]) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.set_roles(session, "planner", ["viewer"])
    page = sign_in("admin").get("/admin/audit/", headers=ZH)
    assert page.status_code == 200
    assert "审计日志" in page.text
    assert "用户角色已修改" in rows(page.text)[0] and "命令行" in rows(page.text)[0]
    assert "全部用户变更" in page.text


def test_bad_filters_are_named_beside_their_input(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    admin = sign_in("admin")
    bad = admin.get("/admin/audit/?from=2026-02-30&to=yesterday&action=user.explode&page=x")
    assert bad.status_code == 422
    assert rows(bad.text) == []
    for name in ("from", "to", "action", "page"):
        assert f'id="audit-{name}-error"' in bad.text
    assert bad.text.count("Enter a date (YYYY-MM-DD).") == 2
    assert "Choose one of the listed values." in bad.text
    assert 'value="yesterday"' in bad.text  # what was typed stays, to be corrected
    zh = admin.get("/admin/audit/?from=2026-1-1", headers=ZH)
    assert zh.status_code == 422 and "请输入日期" in zh.text
    assert admin.get("/admin/audit/?target=a%00b").status_code in (400, 422)


def test_only_an_administrator_reads_the_trail(app: Flask, client: FlaskClient) -> None:
    visitor = client.get("/admin/audit/?action=user")
    assert visitor.status_code == 302 and "/sign-in" in visitor.headers["Location"]
    assert sign_in_as(client, "foreman").status_code == 302
    for url in ("/admin/audit/", "/admin/audit/?action=user&from=2026-01-01"):
        refused = client.get(url)
        assert refused.status_code == 403
        assert "Audit trail" not in refused.text and "user foreman" not in refused.text
    assert post(client, "/admin/audit/").status_code in (403, 405)
    before = trail_total(app)
    assert client.get("/admin/audit/").status_code == 403
    assert trail_total(app) == before
