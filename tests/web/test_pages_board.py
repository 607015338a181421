"""The board of a module: cards in columns by state or by a choice field, within the viewer's
scope; moving a card takes the same step as the record page, or refuses with the reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine import accounts
from engine.actor import SYSTEM
from engine.db import transaction
from engine.records import Record, get_record
from tests.web.helpers import (
    PASSWORD,
    create_record,
    csrf_token,
    labour_data,
    project_id,
    sign_in_as,
)

TALLIES = "/m/labour_tally/board"
HTMX = {"HX-Request": "true", "HX-Target": "board-body"}


def send(client: FlaskClient, url: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
    """POST a form with the CSRF token of the module's list page, as the browser does."""
    token = csrf_token(client, "/m/labour_tally")
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def columns(html: str) -> dict[str, tuple[int, str]]:
    """Each column of the board: its key → (its count, its HTML)."""
    found = {}
    for chunk in html.split('<section class="board-column"')[1:]:
        key = re.search(r'class="board-cards" data-column="([^"]*)"', chunk)
        count = re.search(r'class="board-count"[^>]*>(\d+)<', chunk)
        assert key and count, chunk[:300]
        found[key.group(1)] = (int(count.group(1)), chunk)
    return found


def counts(html: str) -> dict[str, int]:
    return {key: count for key, (count, _) in columns(html).items()}


def stored(app: Flask, module: str, record_id: str) -> Record:
    with transaction(app.extensions["formwork"].session_factory) as session:
        return get_record(session, module, record_id, SYSTEM)


def move(client: FlaskClient, module: str, item: Record, to: str, **kwargs: Any) -> TestResponse:
    data = {"record": item.id, "version": str(item.version), "to": to, "query": ""}
    return send(client, f"/m/{module}/board/move", data, **kwargs)


def chinese(client: FlaskClient) -> None:
    send(client, "/language", {"language": "zh-CN"})


def test_the_board_has_a_column_per_state_counted_within_the_viewers_scope(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    page = client.get(TALLIES)
    assert page.status_code == 200
    # the seeded tallies: three approved, one submitted, one draft, in the workflow's order
    assert counts(page.text) == {"draft": 1, "submitted": 1, "approved": 3, "rejected": 0}
    assert 'aria-current="page">Board<' in page.text  # the views tab beside the list
    assert 'class="filters"' in page.text  # the list's filter form
    assert "Total hours:" in page.text  # the list's first total heads each column
    # the foreman reads his own tallies only
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    sign_in("foreman")
    assert counts(client.get(TALLIES).text) == {
        "draft": 0,
        "submitted": 0,
        "approved": 0,
        "rejected": 0,
    }
    create_record(app, "labour_tally", "foreman", labour_data(project_id(app)))
    assert counts(client.get(TALLIES).text)["draft"] == 1


def test_a_scoped_role_sees_only_the_records_of_its_projects(
    app: Flask, client: FlaskClient
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.create_user(
            session,
            "li",
            PASSWORD,
            roles=["site_manager"],
            grants=[("project", project_id(app, "PRJ-2026-002"))],
        )
    sign_in_as(client, "li")
    board = counts(client.get(TALLIES).text)
    # of the seeds only the Innovation park's draft and submitted tallies are his
    assert board == {"draft": 1, "submitted": 1, "approved": 0, "rejected": 0}


def test_filters_and_hidden_fields_follow_the_list(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("viewer")
    page = client.get("/m/cost_centre/board")
    assert page.status_code == 200
    # the viewer may not see the budget: the columns sum the next total the list shows
    assert "Budget" not in page.text and "Actual total:" in page.text
    filtered = client.get(TALLIES + "?filter[$state]=approved&q=王建国", headers=HTMX)
    assert filtered.status_code == 200 and "<html" not in filtered.text  # the columns alone
    assert counts(filtered.text) == {"draft": 0, "submitted": 0, "approved": 2, "rejected": 0}
    # the filters go along to the list's tab and into each card's move form
    full = client.get(TALLIES + "?filter[$state]=approved").text
    assert "/m/labour_tally?filter%5B%24state%5D=approved" in full
    bad = client.get(TALLIES + "?filter[date][gte]=soon")
    assert bad.status_code == 422 and "These filters could not be used" in bad.text


def test_a_move_the_user_may_make_takes_the_step_and_the_history_shows_it(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = create_record(app, "labour_tally", "foreman", labour_data(project_id(app)))
    sign_in("foreman")
    moved = move(client, "labour_tally", stored(app, "labour_tally", tally), "submitted")
    assert moved.status_code == 303 and moved.location.endswith(TALLIES)
    after = stored(app, "labour_tally", tally)
    assert after.state == "submitted"
    board = client.get(TALLIES).text
    assert "moved to Submitted" in board and tally in columns(board)["submitted"][1]
    history = client.get(f"/m/labour_tally/r/{tally}").text
    assert "Submit" in history.split("History", 1)[-1]
    # through htmx the board comes back drawn again, saying so
    back = move(client, "labour_tally", after, "draft", headers=HTMX)
    assert back.status_code == 200 and 'id="board-notice"' in back.text
    assert stored(app, "labour_tally", tally).state == "draft"
    assert tally in columns(back.text)["draft"][1]


def test_refused_moves_say_why_in_chinese_and_change_nothing(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = create_record(app, "labour_tally", "foreman", labour_data(project_id(app)))
    sign_in("foreman")
    chinese(client)
    submitted = move(client, "labour_tally", stored(app, "labour_tally", tally), "submitted")
    assert submitted.status_code == 303
    item = stored(app, "labour_tally", tally)
    # approving is someone else's vote: the foreman is refused with the engine's reason
    refused = move(client, "labour_tally", item, "approved", headers=HTMX)
    assert refused.status_code == 403
    assert "审批通过：不能审批自己创建的记录。" in refused.text
    assert tally in columns(refused.text)["submitted"][1]  # the card is back in its column
    # no step leads from submitted back to rejected for him, nor anywhere from approved
    assert move(client, "labour_tally", item, "rejected").status_code == 403
    after = stored(app, "labour_tally", tally)
    assert (after.state, after.version) == (item.state, item.version)


def test_a_failed_guard_and_a_step_needing_a_vote_are_refused(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    data = {
        "project": project_id(app),
        "category": "materials",
        "period": "2026-04",
        "subject": "Sand",
        "budget": "1000",
    }
    cost = create_record(app, "cost_centre", "accountant", data)
    sign_in("accountant")
    chinese(client)
    item = stored(app, "cost_centre", cost)
    refused = move(client, "cost_centre", item, "submitted")
    assert refused.status_code == 422  # no cost lines yet: `len(lines) > 0` does not hold
    assert "记录尚不满足此步骤的条件。" in refused.text
    assert stored(app, "cost_centre", cost).state == "draft"
    nowhere = move(client, "cost_centre", item, "approved")
    assert nowhere.status_code == 409 and "草稿" in nowhere.text  # no step leads from draft
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    sign_in("manager")
    waiting = next(i for i in _all(app, "labour_tally") if i.state == "submitted")
    vote = move(client, "labour_tally", waiting, "approved")
    assert vote.status_code == 409  # an approval is voted on the record's page, not dragged
    assert f"/m/labour_tally/r/{waiting.id}" in vote.text
    assert stored(app, "labour_tally", waiting.id).state == "submitted"


def _all(app: Flask, module: str) -> list[Record]:
    from engine.records import ListQuery, list_records

    with transaction(app.extensions["formwork"].session_factory) as session:
        return list_records(session, module, SYSTEM, ListQuery(per_page=100)).items


def test_a_stale_card_is_a_conflict(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = create_record(app, "labour_tally", "foreman", labour_data(project_id(app)))
    sign_in("foreman")
    item = stored(app, "labour_tally", tally)
    item.version -= 1 if item.version > 1 else -1  # drawn before someone else's change
    stale = move(client, "labour_tally", item, "submitted", headers=HTMX)
    assert stale.status_code == 409
    assert "Someone changed this record meanwhile" in stale.text
    assert stored(app, "labour_tally", tally).state == "draft"


def test_a_board_by_a_choice_field_sets_the_field(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("planner")
    page = client.get("/m/schedule/board")
    assert page.status_code == 200
    board = counts(page.text)
    assert list(board) == ["not_started", "in_progress", "delayed", "on_hold", "done", ""]
    assert board == {
        "not_started": 2,
        "in_progress": 2,
        "delayed": 1,
        "on_hold": 0,
        "done": 1,
        "": 0,
    }
    task = next(i for i in _all(app, "schedule") if i.data["status"] == "not_started")
    moved = move(client, "schedule", task, "in_progress", headers=HTMX)
    assert moved.status_code == 200
    assert stored(app, "schedule", task.id).data["status"] == "in_progress"
    assert counts(moved.text)["in_progress"] == 3
    # the status is required: "(none)" is refused, and the viewer may not change tasks
    task = stored(app, "schedule", task.id)
    assert move(client, "schedule", task, "").status_code == 422
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    sign_in("viewer")
    assert move(client, "schedule", task, "done").status_code == 403
    assert stored(app, "schedule", task.id).data["status"] == "in_progress"


def test_hostile_titles_stay_text(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    hostile = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'
    create_record(app, "labour_tally", "foreman", labour_data(project_id(app), worker=hostile[:40]))
    sign_in("foreman")
    page = client.get(TALLIES).text
    assert "<img src=x" not in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_long_column_shows_its_first_cards_and_links_the_rest_to_the_list(
    app: Flask,
    client: FlaskClient,
    sign_in: Callable[[str], FlaskClient],
    monkeypatch: Any,
) -> None:
    from web.pages import board_columns

    monkeypatch.setattr(board_columns, "CARDS_PER_COLUMN", 2)
    sign_in("accountant")
    count, approved = columns(client.get(TALLIES + "?q=LT-").text)["approved"]
    assert count == 3 and approved.count('<li class="board-card') == 2
    link = re.search(r'class="board-more small" href="([^"]+)">1 more → list<', approved)
    assert link and "q=LT-" in link.group(1)  # the board's search goes along
    listed = client.get(link.group(1).replace("&amp;", "&"))
    assert listed.status_code == 200 and "3 records" in listed.text


def test_the_none_column_links_to_the_list_of_records_without_a_value(
    api: Any, monkeypatch: Any
) -> None:
    """A board by an optional choice: its "(none)" column leads, like the others, to the
    list of exactly its records — `filter[status][empty]=true`, which the API takes too."""
    import json

    from engine.packs import import_pack
    from tests.web.helpers import ROOT, body
    from web.pages import board_columns

    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    pack["version"] = "99.0.0"
    schedule = next(m for m in pack["modules"] if m["id"] == "schedule")
    schedule["schema"]["required"].remove("status")
    del schedule["schema"]["properties"]["status"]["default"]
    with transaction(api.session_factory) as session:
        import_pack(session, json.dumps(pack, ensure_ascii=False))
    project = api.first("project", as_="planner")["id"]
    for n in range(3):
        task = {"project": project, "wbs_code": f"9.{n}", "task": f"Unsorted {n}"}
        task |= {"planned_start": "2026-05-04", "planned_finish": "2026-05-08"}
        assert (
            api.post("/modules/schedule/records", json={"data": task}, as_="planner").status_code
            == 201
        )
    monkeypatch.setattr(board_columns, "CARDS_PER_COLUMN", 1)
    client = api.app.test_client()
    sign_in_as(client, "planner")
    count, column = columns(client.get("/m/schedule/board").text)[""]
    assert count == 3 and column.count('<li class="board-card') == 1
    link = re.search(r'class="board-more small" href="([^"]+)">2 more → list<', column)
    assert link and "filter%5Bstatus%5D%5Bempty%5D=true" in link.group(1)
    listed = client.get(link.group(1).replace("&amp;", "&")).text
    assert "3 records" in listed and "Unsorted 2" in listed and "9.1" in listed
    answer = body(
        api.get(
            "/modules/schedule/records",
            as_="planner",
            query_string={"filter[status][empty]": "true"},
        )
    )
    assert answer["total"] == 3 and {r["data"].get("status") for r in answer["items"]} == {None}
    others = body(
        api.get(
            "/modules/schedule/records", as_="planner", query_string={"filter[status][empty]": "0"}
        )
    )
    assert others["total"] >= 1 and None not in {r["data"]["status"] for r in others["items"]}
    refused = api.get(
        "/modules/schedule/records", as_="planner", query_string={"filter[status][empty]": "maybe"}
    )
    assert refused.status_code == 422
