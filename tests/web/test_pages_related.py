"""The record page's related records: a project shows its tallies, costs, tasks and funds.

The section is fetched by htmx once it comes into view; each group's count is what its
"All N →" link opens: the module's list filtered to the project, showing exactly N records.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from tests.web.helpers import PASSWORD, create_record, project_id, sign_in_as
from tests.web.test_statement_counts import counted

HX = {"HX-Request": "true"}
ZH = {"Accept-Language": "zh-CN"}
GROUP = re.compile(r'<section class="related-group"[^>]*data-module="(\w+)" data-count="(\d+)"')
ALL = re.compile(r'<a class="related-all" href="([^"]+)">([^<]+)</a>')
LIST_TOTAL = re.compile(r'<div class="list-meta">\s*<span>(\d+) (?:records?|条记录)')


def related(client: FlaskClient, project: str, **headers: str) -> str:
    response = client.get(f"/m/project/r/{project}/related", headers={**HX, **headers})
    assert response.status_code == 200, response.text
    return response.text


def counts(page: str) -> dict[str, int]:
    return {module: int(n) for module, n in GROUP.findall(page)}


def list_total(client: FlaskClient, url: str) -> int:
    page = client.get(html.unescape(url)).text
    found = LIST_TOTAL.search(page)
    return int(found.group(1)) if found else 0


def assert_links_open_lists_of_the_same_count(client: FlaskClient, page: str) -> None:
    links = ALL.findall(page)
    assert links, "no All N link"
    for url, label in links:
        shown = int(re.search(r"\d+", label).group(0))  # type: ignore[union-attr]
        assert list_total(client, url) == shown, url


def test_a_project_shows_its_tallies_costs_tasks_and_funds_with_the_lists_counts(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("admin")
    project = project_id(app)
    record = client.get(f"/m/project/r/{project}").text
    assert f'hx-get="/m/project/r/{project}/related"' in record  # fetched when in view
    assert 'hx-trigger="intersect once"' in record and "Related records" in record
    page = related(client, project)
    assert "<html" not in page  # only the section for htmx
    assert counts(page) == {"cost_centre": 2, "labour_tally": 3, "schedule": 5, "fund": 3}
    assert "Project cost centre" in page and "Labour tally" in page and "Funds ledger" in page
    assert_links_open_lists_of_the_same_count(client, page)
    assert f"filter%5Bproject%5D={project}" in page  # the list keeps the filter in its URL


def test_a_new_tally_counts_and_its_total_adds_up_on_the_project(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    project = project_id(app, "PRJ-2026-003")  # nothing links to it yet
    sign_in("admin")
    before = related(client, project)
    assert set(counts(before).values()) == {0} and "None yet." in before
    tally = {
        "project": project,
        "date": "2026-05-04",
        "worker": "Zhang San",
        "trade": "rebar",
        "items": [{"content": "tie", "hours": "7.5", "rate": "40.00"}],
    }
    create_record(app, "labour_tally", "foreman", tally)
    after = related(client, project)
    assert counts(after)["labour_tally"] == 1
    assert "Zhang San" in after and "300.00" in after  # 7.5 h × 40.00
    assert_links_open_lists_of_the_same_count(client, after)


def test_the_section_in_chinese(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("admin")
    project = project_id(app)
    record = client.get(f"/m/project/r/{project}", headers=ZH).text
    assert "关联记录" in record
    page = related(client, project, **ZH)
    assert "项目成本中心" in page and "点工汇总" in page and "资金数据中心" in page
    assert "全部 3 条 →" in page
    assert_links_open_lists_of_the_same_count(client, page)


def test_a_site_manager_granted_one_project_counts_only_its_records(
    app: Flask, client: FlaskClient
) -> None:
    riverside, innovation = project_id(app), project_id(app, "PRJ-2026-002")
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.create_user(session, "li", PASSWORD, roles=["site_manager"])
        accounts.add_grant(session, "li", "project", innovation)
    assert sign_in_as(client, "li").status_code == 302
    granted = related(client, innovation)
    assert counts(granted) == {"cost_centre": 1, "labour_tally": 2, "schedule": 1, "fund": 1}
    assert_links_open_lists_of_the_same_count(client, granted)
    other = related(client, riverside)  # they read every project, but no rows of this one
    assert set(counts(other).values()) == {0}


def test_a_foreman_sees_only_modules_they_read_and_a_viewer_no_hidden_totals(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    project = project_id(app)
    create_record(
        app,
        "labour_tally",
        "foreman",
        {
            "project": project,
            "date": "2026-05-04",
            "worker": "Wang Wu",
            "trade": "concrete",
            "items": [{"content": "pour", "hours": "8", "rate": "50.00"}],
        },
    )
    sign_in("foreman")
    page = related(client, project)
    assert counts(page) == {"labour_tally": 1, "schedule": 5}  # own tallies; no costs, funds
    assert_links_open_lists_of_the_same_count(client, page)
    viewer = app.test_client()
    assert sign_in_as(viewer, "viewer").status_code == 302
    page = related(viewer, project)
    tallies = page[page.index('data-module="labour_tally"') : page.index('data-module="schedule"')]
    assert (
        "Total hours" in tallies and "Total amount" not in tallies
    )  # the amount is hidden from viewers


def test_an_unknown_record_is_not_found_and_without_htmx_the_section_is_a_page(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("admin")
    assert client.get("/m/project/r/nope/related", headers=HX).status_code == 404
    project = project_id(app)
    page = client.get(f"/m/project/r/{project}/related")
    assert page.status_code == 200 and "<html" in page.text and 'data-module="fund"' in page.text


def test_the_record_page_costs_no_more_and_the_section_one_statement_a_module(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("admin")
    project = project_id(app)
    client.get(f"/m/project/r/{project}/related", headers=HX)  # warm the caches
    with counted(app) as seen:
        assert client.get(f"/m/project/r/{project}/related", headers=HX).status_code == 200
    # the session's user, the catalog's freshness, the project, then one per module
    assert len(seen) <= 3 + 4, seen
