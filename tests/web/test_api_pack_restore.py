"""A pack's history and restore through the API: administrators only, refusals with counts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from engine.db import transaction
from tests.bundled import CURRENT, NEXT
from tests.web.helpers import ROOT, Api, body, errors
from tests.web.test_admin_pack_history import version_two


@pytest.fixture
def upgraded(api: Api) -> Api:
    """construction as installed, then its next version imported through the API by the admin."""
    assert api.post("/packs", json=version_two()).status_code == 201
    return api


def installed(api: Api) -> str:
    (pack,) = [p for p in body(api.get("/packs"))["items"] if p["id"] == "construction"]
    return str(pack["version"])


def test_history_then_dry_run_then_restore(upgraded: Api) -> None:
    history = body(upgraded.get("/packs/construction/history"))
    assert history["version"] == NEXT
    assert [v["version"] for v in history["versions"]] == [NEXT, CURRENT]
    assert history["versions"][0]["installed_by"] == "admin"
    assert history["events"][0]["action"] == "pack.import"
    dry = upgraded.post("/packs/construction/restore?dry_run=1", json={"version": CURRENT})
    assert dry.status_code == 200 and body(dry)["action"] == "restored"
    assert any(c["key"] == "labour_tally.weather" for c in body(dry)["diff"])
    assert installed(upgraded) == NEXT
    done = upgraded.post("/packs/construction/restore", json={"version": CURRENT})
    assert done.status_code == 200
    assert (body(done)["version"], body(done)["previous_version"]) == (CURRENT, NEXT)
    assert installed(upgraded) == CURRENT
    latest = body(upgraded.get("/packs/construction/history"))["events"][0]
    assert (latest["action"], latest["actor"], latest["to_version"]) == (
        "pack.restore",
        "admin",
        CURRENT,
    )


def test_a_refused_restore_names_the_count_and_changes_nothing(upgraded: Api) -> None:
    with transaction(upgraded.session_factory) as session:
        session.execute(text("update m_labour_tally set state = 'checked'"))
    refused = upgraded.post("/packs/construction/restore", json={"version": CURRENT})
    assert refused.status_code == 409
    (problem,) = errors(refused)
    assert problem["code"] == "state_removed_in_use" and "records are in it" in problem["message"]
    assert installed(upgraded) == NEXT


def test_bad_requests(upgraded: Api) -> None:
    missing = upgraded.post("/packs/construction/restore", json={})
    assert missing.status_code == 422 and errors(missing)[0]["path"] == "/version"
    unknown = upgraded.post("/packs/construction/restore", json={"version": "0.0.1"})
    assert unknown.status_code == 404 and errors(unknown)[0]["code"] == "unknown_pack_version"
    assert upgraded.get("/packs/nowhere/history").status_code == 404
    for name in ("foreman", "manager"):
        assert upgraded.get("/packs/construction/history", as_=name).status_code == 403
        refused = upgraded.post("/packs/construction/restore", json={"version": CURRENT}, as_=name)
        assert refused.status_code == 403
    assert installed(upgraded) == NEXT


def test_the_restore_is_documented_for_administrators_only(upgraded: Api) -> None:
    paths = body(upgraded.get("/openapi.json"))["paths"]
    assert "post" in paths["/packs/{pack}/restore"]
    assert "get" in paths["/packs/{pack}/history"]
    foreman = body(upgraded.get("/openapi.json", as_="foreman"))["paths"]
    assert "/packs/{pack}/restore" not in foreman


def test_an_ordinary_import_may_not_go_back(upgraded: Api) -> None:
    older = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    refused = upgraded.post("/packs", json=older)
    assert refused.status_code == 422 and errors(refused)[0]["code"] == "version_older"
    assert installed(upgraded) == NEXT
