"""The home page, the shell around every page and the front-end files."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient


def test_home_shows_the_users_modules_and_recent_records(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    page = client.get("/")
    assert page.status_code == 200
    # the foreman reads projects, labour tallies and the schedule, not the funds ledger
    assert "Labour tally" in page.text and "Projects" in page.text
    assert "Funds ledger" not in page.text
    assert "/m/labour_tally/new" in page.text  # may create
    assert "/m/project/new" not in page.text
    assert "Nothing is waiting for you." in page.text


def test_the_shell_has_navigation_language_switch_and_inbox_count(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    page = client.get("/")
    assert 'href="/m/labour_tally"' in page.text
    assert 'action="/language"' in page.text and "中文" in page.text
    assert 'id="inbox-count"' not in page.text
    assert 'hx-headers=\'{"X-CSRFToken": ' in page.text  # htmx requests carry the token
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_front_end_comes_from_node_modules_not_a_cdn(client: FlaskClient) -> None:
    page = client.get("/")
    assert "/static/vendor/htmx.org/dist/htmx.min.js" in page.text
    assert "/static/vendor/@picocss/pico/css/pico.min.css" in page.text
    assert "//cdn" not in page.text and "https://" not in page.text
    htmx = client.get("/static/vendor/htmx.org/dist/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.data
    htmx.close()
    css = client.get("/static/vendor/@picocss/pico/css/pico.min.css")
    assert css.status_code == 200
    css.close()
    assert client.get("/static/vendor/htmx.org/package.json").status_code == 404
    assert client.get("/static/vendor/htmx.org/dist/../package.json").status_code == 404
    assert client.get("/static/vendor/left-pad/index.js").status_code == 404


def test_unknown_pages_answer_404_in_the_users_language(client: FlaskClient) -> None:
    page = client.get("/no/such/page", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 404
    assert "未找到" in page.text
