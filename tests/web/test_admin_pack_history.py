"""An admin reads a pack's history, compares two versions and restores the earlier one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from engine.db import transaction
from engine.models import AdminEvent
from engine.packs import import_pack
from tests.bundled import CURRENT, NEXT
from tests.web.helpers import ROOT, post, sign_in_as

ZH = {"Accept-Language": "zh-CN"}
HISTORY = "/admin/packs/construction/history"
DIFF = f"/admin/packs/construction/diff?from={CURRENT}&to={NEXT}"
RESTORE = f"/admin/packs/construction/restore/{CURRENT}"


def version_two() -> dict[str, Any]:
    """construction's next version: labour tallies get a weather field and a checked state, and their
    worker field another English label."""
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    pack["version"] = NEXT
    labour = next(m for m in pack["modules"] if m["id"] == "labour_tally")
    labour["schema"]["properties"]["weather"] = {"enum": ["sunny", "rain"]}
    labour["schema"]["properties"]["worker"]["title"]["en"] = "Worker's name"
    labour["workflow"]["states"]["checked"] = {"title": {"en": "Checked", "zh-CN": "已复核"}}
    labour["workflow"]["transitions"].append(
        {"id": "check", "from": "submitted", "to": "checked", "roles": ["site_manager"]}
    )
    return pack


def run(app: Flask, statement: str) -> Any:
    with transaction(app.extensions["formwork"].session_factory) as session:
        result = session.execute(text(statement))
        return result.all() if result.returns_rows else None


def version(app: Flask) -> str:
    return run(app, "select version from packs where id = 'construction'")[0][0]


def restores(app: Flask) -> list[tuple[str | None, Any, Any]]:
    with transaction(app.extensions["formwork"].session_factory) as session:
        events = session.scalars(select(AdminEvent).where(AdminEvent.action == "pack.restore"))
        return [(e.actor, e.before, e.after) for e in events]


@pytest.fixture
def upgraded(app: Flask) -> Flask:
    with transaction(app.extensions["formwork"].session_factory) as session:
        import_pack(session, version_two())
    return app


@pytest.fixture
def admin(upgraded: Flask) -> FlaskClient:
    client = upgraded.test_client()
    assert sign_in_as(client, "admin").status_code == 302
    return client


def test_history_shows_every_version_with_who_and_when(admin: FlaskClient) -> None:
    page = admin.get(HISTORY)
    assert page.status_code == 200
    assert NEXT in page.text and CURRENT in page.text
    assert page.text.count("command line") >= 2  # both versions came from outside the pages
    assert f'href="{RESTORE}"' in page.text
    assert f'href="/admin/packs/construction/restore/{NEXT}"' not in page.text  # installed


def test_diff_between_two_versions_names_the_field_and_the_state(admin: FlaskClient) -> None:
    page = admin.get(DIFF)
    assert page.status_code == 200
    assert "labour_tally.weather" in page.text and "labour_tally.checked" in page.text
    assert "added" in page.text
    assert "<li>label Worker → Worker&#39;s name</li>" in page.text  # what changed, not all of it
    back = admin.get(f"/admin/packs/construction/diff?from={NEXT}&to={CURRENT}")
    assert "labour_tally.weather" in back.text and "removed" in back.text
    assert admin.get(f"/admin/packs/construction/diff?from=0.1.0&to={NEXT}").status_code == 404
    assert admin.get("/admin/packs/construction/restore/0.1.0").status_code == 404
    assert admin.get("/admin/packs/nowhere/history").status_code == 404


def test_restore_asks_first_then_goes_back_and_records_stay(
    upgraded: Flask, admin: FlaskClient
) -> None:
    confirm = admin.get(RESTORE)
    assert confirm.status_code == 200
    assert "labour_tally.weather" in confirm.text and 'class="confirm-restore"' in confirm.text
    assert version(upgraded) == NEXT  # asking changed nothing
    done = post(admin, RESTORE)
    assert done.status_code == 302 and done.headers["Location"].endswith(HISTORY)
    assert version(upgraded) == CURRENT
    assert restores(upgraded) == [("admin", {"version": NEXT}, {"version": CURRENT})]
    history = admin.get(HISTORY).text
    assert f"restored to version {CURRENT}" in history and f"Restored version {CURRENT}" in history
    (tally,) = run(upgraded, "select id from m_labour_tally limit 1")
    assert admin.get(f"/m/labour_tally/r/{tally[0]}").status_code == 200
    with transaction(upgraded.extensions["formwork"].session_factory) as session:
        assert import_pack(session, version_two()).action == "upgraded"  # and back again
    assert version(upgraded) == NEXT


def test_restore_is_refused_with_the_count_while_records_are_in_the_new_state(
    upgraded: Flask, admin: FlaskClient
) -> None:
    run(upgraded, "update m_labour_tally set state = 'checked'")
    (count,) = run(upgraded, "select count(*) from m_labour_tally")[0]
    assert count > 0
    confirm = admin.get(RESTORE)
    assert confirm.status_code == 409
    assert f"{count} records are in it" in confirm.text
    assert 'class="confirm-restore"' not in confirm.text
    refused = post(admin, RESTORE)
    assert refused.status_code == 409 and f"{count} records are in it" in refused.text
    assert version(upgraded) == NEXT and restores(upgraded) == []
    chinese = admin.get(RESTORE, headers=ZH)
    assert chinese.status_code == 409 and "无法恢复" in chinese.text


def test_restoring_without_the_form_token_changes_nothing(
    upgraded: Flask, admin: FlaskClient
) -> None:
    assert admin.post(RESTORE).status_code == 400
    assert version(upgraded) == NEXT


def test_the_history_pages_speak_chinese(admin: FlaskClient) -> None:
    history = admin.get(HISTORY, headers=ZH)
    assert "版本" in history.text and "命令行" in history.text
    assert "恢复" in history.text
    diff = admin.get(DIFF, headers=ZH)
    assert "新增" in diff.text and "字段" in diff.text
    confirm = admin.get(RESTORE, headers=ZH)
    assert f"恢复版本 {CURRENT}" in confirm.text


@pytest.mark.parametrize("name", ["foreman", "manager"])
def test_only_administrators(
    upgraded: Flask, sign_in: Callable[[str], FlaskClient], name: str
) -> None:
    client = sign_in(name)
    for url in (HISTORY, DIFF, RESTORE):
        refused = client.get(url)
        assert refused.status_code == 403
        assert "Version history" not in refused.text and "weather" not in refused.text
    assert post(client, RESTORE).status_code == 403
    assert version(upgraded) == NEXT


def test_a_visitor_is_sent_to_sign_in(upgraded: Flask) -> None:
    response = upgraded.test_client().get(HISTORY)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
