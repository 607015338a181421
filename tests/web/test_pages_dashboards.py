"""The home page's dashboard: cards in the user's language that open exactly what they count."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from urllib.parse import unquote

from flask import Flask
from flask.testing import FlaskClient

from engine.actor import SYSTEM
from engine.records import Filter, ListQuery, list_records

NUMBER_CARD = re.compile(
    r'<a class="dash-link" href="([^"]+)">\s*<h3 class="dash-title">([^<]+)</h3>\s*'
    r'<p class="dash-figure" data-figure>([^<]*)</p>'
)
RECORDS = re.compile(r"<span>([\d,]+) records?")


def number_cards(text: str) -> dict[str, tuple[str, str]]:
    """Card title → (link, figure) of each number card on a page."""
    return {t: (html.unescape(u), f) for u, t, f in NUMBER_CARD.findall(text)}


def test_the_home_page_shows_the_dashboard_in_english_and_chinese(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("manager")
    page = client.get("/")
    assert "Project overview" in page.text
    cards = number_cards(page.text)
    assert set(cards) == {
        "Budget used (approved costs)",
        "Costs waiting for approval",
        "Overdue tasks",
        "Labour cost this month",
    }
    assert page.text.count('class="echart"') == 2 and "js/charts.js" in page.text
    assert "My overdue tasks" in page.text
    chinese = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert "项目概览" in chinese.text
    assert {"已用预算（已审批成本）", "待审批成本", "逾期任务", "本月人工成本"} <= set(
        number_cards(chinese.text)
    )
    assert "我的逾期任务" in chinese.text and "上期" in chinese.text


def test_a_count_cards_link_opens_a_list_of_the_same_total(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("manager")
    cards = number_cards(client.get("/").text)
    for title in ("Costs waiting for approval", "Overdue tasks"):
        link, figure = cards[title]
        listing = client.get(link)
        assert listing.status_code == 200
        (total,) = RECORDS.findall(listing.text)
        assert total == figure, title
    link, figure = cards["Budget used (approved costs)"]
    assert unquote(link) == "/m/cost_centre?filter[$state]=approved"
    with app.extensions["formwork"].session_factory() as session:
        query = ListQuery(filters=(Filter("$state", "eq", "approved"),), per_page=200)
        listed = list_records(
            session, "cost_centre", SYSTEM, query
        )  # the manager has every project
    spent = sum(r.data["total"] for r in listed.items)
    assert listed.total >= 1 and f"{spent:,.2f}" == figure


def test_cards_follow_what_the_viewer_may_read(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")  # reads the schedule and his own tallies, not the cost centre
    cards = number_cards(client.get("/").text)
    assert "Overdue tasks" in cards and "Labour cost this month" in cards
    assert "Budget used (approved costs)" not in cards


def test_a_figure_over_a_hidden_field_is_restricted(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("viewer")  # the tallies' amounts are hidden from a viewer
    page = client.get("/")
    assert "Labour cost this month" not in number_cards(page.text)
    withheld = r'Labour cost this month</h3>\s*<p class="dash-figure muted">Restricted'
    assert re.search(withheld, page.text)


def charts_on(text: str) -> list[dict[str, object]]:
    """The ECharts options a page carries, in page order."""
    found = re.findall(
        r'<script type="application/json" id="chart-[^"]+">(.*?)</script>', text, re.S
    )
    return [json.loads(option) for option in found]


def test_chart_axes_and_legend_speak_the_viewers_language(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    """The axes name the measure and the group as the report's table heads them — the
    measure's id ("amount", "tasks") is never what a reader sees."""
    sign_in("manager")
    english = charts_on(client.get("/").text)
    bars = next(c for c in english if c["series"][0]["type"] == "bar")  # type: ignore[index]
    assert bars["yAxis"]["name"] == "Total amount"  # type: ignore[index]
    assert bars["xAxis"]["name"] == "Month"  # type: ignore[index]
    pie = next(c for c in english if c["series"][0]["type"] == "pie")  # type: ignore[index]
    assert pie["series"][0]["name"] == "Count"  # type: ignore[index]
    chinese = charts_on(client.get("/", headers={"Accept-Language": "zh-CN"}).text)
    bars = next(c for c in chinese if c["series"][0]["type"] == "bar")  # type: ignore[index]
    assert (bars["yAxis"]["name"], bars["xAxis"]["name"]) == ("合计金额", "月份")  # type: ignore[index]
    pie = next(c for c in chinese if c["series"][0]["type"] == "pie")  # type: ignore[index]
    assert pie["series"][0]["name"] == "计数"  # type: ignore[index]
