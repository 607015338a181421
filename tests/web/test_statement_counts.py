"""SQL statements a page or an API call costs, counted from outside on the app's engine.

Every statement the app sends through its engine is counted (`before_cursor_execute`),
transaction control left out (BEGIN; on PostgreSQL the `SET LOCAL statement_timeout` of
the time budget that opens each transaction): the check of the signed-in user or token, the catalog's
freshness check, the records, their child rows, totals, history, transitions and the nav.
The catalog is read once a request and the record page reads the inbox once, so these stay
small whatever the module holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from engine import accounts
from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, create_record, project_id, sign_in_as

# transaction control: SQLite's BEGIN, PostgreSQL's time budget of the transaction
CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SET LOCAL statement_timeout)\b", re.I)


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The statements sent while the block runs (transaction control left out)."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if not CONTROL.match(statement):
            seen.append(statement)

    engine = app.extensions["formwork"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def project_filter(html: str) -> list[str]:
    """The options of the list's project filter, as attribute text."""
    found = re.search(
        r'<select id="flt-\d+" name="filter\[project\]"[^>]*>(.*?)</select>', html, re.S
    )
    assert found, "no project filter"
    return re.findall(r"<option ([^>]*)>", found.group(1))


def cost(app: Flask, call: Callable[[], object]) -> int:
    call()  # the first call warms the process caches (compiled catalog, statements)
    with counted(app) as seen:
        response = call()
    assert getattr(response, "status_code", None) == 200
    return len(seen)


def test_a_list_page_with_link_columns_and_totals_costs_at_most_seven_statements(
    app: Flask, client: FlaskClient
) -> None:
    assert sign_in_as(client, "admin").status_code == 302
    for module in ("labour_tally", "cost_centre", "fund", "project"):
        page = cost(app, lambda m=module: client.get(f"/m/{m}"))  # type: ignore[misc]
        assert page <= 7, module
    pid = project_id(app)
    filtered = cost(app, lambda: client.get(f"/m/labour_tally?filter[project]={pid}"))
    assert filtered <= 8  # the chosen project's title, nothing else of the linked module


def test_a_link_filter_lists_only_its_choice_and_searches_the_rest(
    app: Flask, client: FlaskClient
) -> None:
    assert sign_in_as(client, "admin").status_code == 302
    page = client.get("/m/labour_tally").text
    assert project_filter(page) == ['value=""']  # "All": no project read into the dropdown
    assert 'hx-trigger="focus once"' in page
    pid = project_id(app)
    chosen = client.get(f"/m/labour_tally?filter[project]={pid}").text
    assert project_filter(chosen) == ['value=""', f'value="{pid}" selected']
    found = client.get("/m/labour_tally/options/project?all=1&q=Innovation").text
    assert "Innovation Centre Offices" in found


def test_a_record_page_with_history_comments_transitions_and_rollups_costs_at_most_nine(
    app: Flask, client: FlaskClient
) -> None:
    assert sign_in_as(client, "admin").status_code == 302
    pid = project_id(app)
    assert cost(app, lambda: client.get(f"/m/project/r/{pid}")) <= 9  # rollups, comments
    tally = create_record(
        app,
        "labour_tally",
        "foreman",
        {
            "project": pid,
            "date": "2026-05-04",
            "worker": "Wang Jianguo",
            "trade": "rebar",
            "items": [{"content": "tying", "hours": "6", "rate": "40"}],
        },
    )
    assert cost(app, lambda: client.get(f"/m/labour_tally/r/{tally}")) <= 9  # child rows, comments


def test_an_api_list_costs_at_most_six_statements(app: Flask) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        token = accounts.create_token(session, "foreman", "counts")
    create_record(
        app,
        "labour_tally",
        "foreman",
        {
            "project": project_id(app),
            "date": "2026-05-04",
            "worker": "Wang Jianguo",
            "trade": "rebar",
            "items": [{"content": "tying", "hours": "6", "rate": "40"}],
        },
    )
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for module in ("labour_tally", "project"):
        url = f"/api/v1/modules/{module}/records"
        assert cost(app, lambda u=url: api.get(u, headers=headers)) <= 6, module  # type: ignore[misc]


def with_more_columns(app: Flask) -> None:
    """The bundled pack upgraded: two more link columns on tallies, two more rollups on
    projects, all shown in the lists and the link columns offered as filters."""
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    pack["version"] = "9.0.0"
    modules = {m["id"]: m for m in pack["modules"]}
    tally, project = modules["labour_tally"], modules["project"]
    for name in ("project_b", "project_c"):
        tally["schema"]["properties"][name] = {"type": "string", "x-ref": "project"}
        tally["ui"]["list"]["columns"].append(name)
        tally["ui"]["list"]["filters"].append(name)
    for name, value in (("tally_hours", "sum(hours)"), ("tallies", "count()")):
        project["schema"]["properties"][name] = {
            "type": "number",
            "x-scale": 2,
            "x-rollup": {"module": "labour_tally", "link": "project", "value": value},
        }
        project["ui"]["list"]["columns"].append(name)
    with transaction(app.extensions["formwork"].session_factory) as session:
        import_pack(session, json.dumps(pack, ensure_ascii=False))


def test_the_counts_stay_the_same_with_more_link_and_rollup_columns(
    app: Flask, client: FlaskClient
) -> None:
    assert sign_in_as(client, "admin").status_code == 302
    pid = project_id(app)
    pages = (f"/m/labour_tally?filter[project]={pid}", "/m/project", f"/m/project/r/{pid}")
    before = [cost(app, lambda p=page: client.get(p)) for page in pages]  # type: ignore[misc]
    with_more_columns(app)
    after = [cost(app, lambda p=page: client.get(p)) for page in pages]  # type: ignore[misc]
    assert after == before
    assert "tally_hours" in client.get("/m/project").text  # the new columns are shown
    assert "project_c" in client.get("/m/labour_tally").text


def test_the_navigation_counts_the_inbox_without_reading_its_records(
    app: Flask, client: FlaskClient
) -> None:
    assert sign_in_as(client, "manager").status_code == 302  # records wait in three modules
    page = client.get("/m/labour_tally").text
    assert re.search(r'id="inbox-count"[^>]*>\s*3\s*<', page)
    assert cost(app, lambda: client.get("/m/labour_tally")) <= 7


def test_a_scoped_users_tally_page_costs_at_most_nine_and_home_reads_tasks_once(
    app: Flask, client: FlaskClient
) -> None:
    """The site manager (row scopes from grants, records waiting in three modules): the
    grants come with the sign-in check and the nav's tasks already know which records the
    user may read, so the tally record page keeps the budget; home reads the tasks once."""
    assert sign_in_as(client, "manager").status_code == 302
    tally = create_record(
        app,
        "labour_tally",
        "foreman",
        {
            "project": project_id(app),
            "date": "2026-05-04",
            "worker": "Wang Jianguo",
            "trade": "rebar",
            "items": [{"content": "tying", "hours": "6", "rate": "40"}],
        },
    )
    page = client.get(f"/m/labour_tally/r/{tally}")
    assert "Wang Jianguo" in page.text
    assert re.search(r'id="inbox-count"[^>]*>\s*\d+\s*<', page.text)
    assert cost(app, lambda: client.get(f"/m/labour_tally/r/{tally}")) <= 9  # with comments
    client.get("/")
    with counted(app) as seen:
        assert client.get("/").status_code == 200
    assert sum(bool(re.search(r"\bFROM tasks\b", s)) for s in seen) == 1
    assert not any(s.lstrip().startswith("SELECT grants.") for s in seen)  # came with the user
