"""Dashboards: each card's figure is the SQL answer its viewer's list would give."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from engine.actor import SYSTEM, actor
from engine.catalog import load_catalog
from engine.dashboards import (
    ChartFigure,
    ListFigure,
    NumberFigure,
    dashboards_for,
    period_bounds,
    run_dashboard,
)
from engine.definitions.checks import check_pack
from engine.errors import DefinitionError
from engine.packs import import_pack
from engine.records import create_record, list_records, parse_list_params
from tests.engine.sample_pack import sample_pack

TODAY = dt.date(2026, 11, 15)
LEE, KIM = actor("lee", "foreman"), actor("kim", "foreman")
MANAGER, VIEWER = actor("ann", "site_manager"), actor("vic", "viewer")


def dashboard(*cards: dict[str, Any], roles: list[str] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"id": "overview", "title": {"en": "Overview"}, "cards": list(cards)}
    if roles is not None:
        found["roles"] = roles
    return found


DRAFTS = {"type": "number", "title": "Drafts", "module": "labour", "where": "$state == 'draft'"}
THIS_MONTH = {
    "type": "number",
    "title": "Labour this month",
    "module": "labour",
    "measure": "sum(amount)",
    "period": {"field": "date", "compare": "previous"},
    "format": "money",
}
MINE = {
    "type": "list",
    "title": "My rebar",
    "module": "labour",
    "where": "$owner == user.id and trade == 'rebar' and date < today()",
    "sort": "-date",
    "limit": 3,
    "columns": ["date", "worker"],
}
CHART = {"type": "chart", "report": "labour_by_trade", "size": 2}

TALLIES = [  # (who, date, trade, hours at 10.00 an hour)
    (LEE, "2026-11-03", "rebar", 4),
    (LEE, "2026-11-20", "formwork", 2),
    (KIM, "2026-10-05", "rebar", 3),
    (KIM, "2026-09-30", "rebar", 5),
    (LEE, "2026-10-31", "rebar", 1),
]


@pytest.fixture
def site(session: Any) -> Any:
    import_pack(session, sample_pack(dashboards=[dashboard(DRAFTS, THIS_MONTH, MINE, CHART)]))
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    for who, date, trade, hours in TALLIES:
        data = {"project": project.id, "date": date, "worker": who.name, "trade": trade}
        data["items"] = [{"task": "t", "hours": hours, "rate": "10.00"}]
        create_record(session, "labour", data, who)
    return session


def figures(session: Any, who: Any) -> list[Any]:
    catalog = load_catalog(session)
    (board,) = dashboards_for(catalog, who)
    return run_dashboard(session, catalog, board, who, today=TODAY)


def test_figures_equal_a_direct_count_and_sum(site: Any) -> None:
    drafts, month, mine, chart = figures(site, SYSTEM)
    direct = site.execute(text("select count(*) from m_labour where state = 'draft'")).scalar()
    assert isinstance(drafts, NumberFigure) and drafts.value == direct == 5
    assert isinstance(month, NumberFigure)
    assert month.value == Decimal("60.00")  # 40 + 20 in November
    assert month.previous == Decimal("40.00")  # 30 + 10 in October
    assert month.change == Decimal(50)
    assert month.period == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert isinstance(chart, ChartFigure)
    assert {r["trade"]: r["lines"] for r in chart.result.rows} == {"rebar": 4, "formwork": 1}
    assert isinstance(mine, ListFigure) and mine.page is not None
    assert mine.page.total == 0  # the system owns no tally


def test_a_card_link_opens_exactly_the_records_counted(site: Any) -> None:
    for who in (SYSTEM, LEE, KIM):
        drafts, month, mine, _ = figures(site, who)
        for figure in (drafts, month):
            query = parse_list_params(load_catalog(site).module("labour"), dict(figure.args), who)
            page = list_records(site, "labour", who, query)
            if figure.card.measure.source == "count()":
                assert page.total == figure.value
            else:
                assert sum(r.data["amount"] for r in page.items) == figure.value
        query = parse_list_params(load_catalog(site).module("labour"), dict(mine.args), who)
        assert list_records(site, "labour", who, query).total == mine.page.total


def test_a_foreman_counts_only_his_own(site: Any) -> None:
    drafts, month, mine, chart = figures(site, LEE)
    assert drafts.value == 3
    assert month.value == Decimal("60.00") and month.previous == Decimal("10.00")
    dates = [r.data["date"] for r in mine.page.items]
    assert dates == [dt.date(2026, 11, 3), dt.date(2026, 10, 31)]
    assert mine.args[0] == ("filter[$owner]", "lee")
    assert sum(r["lines"] for r in chart.result.rows) == 3
    drafts, month, mine, _ = figures(site, KIM)
    assert (drafts.value, month.value, month.previous) == (2, Decimal("0"), Decimal("30.00"))
    assert month.change == Decimal(-100)


def test_a_measure_over_a_hidden_field_is_withheld(site: Any) -> None:
    drafts, month, *_ = figures(site, VIEWER)
    assert drafts.value == 5
    assert month.withheld and month.value is None and month.args == ()


def test_roles_choose_who_sees_a_dashboard(session: Any) -> None:
    import_pack(session, sample_pack(dashboards=[dashboard(DRAFTS, roles=["site_manager"])]))
    catalog = load_catalog(session)
    assert [d.id for d in dashboards_for(catalog, MANAGER)] == ["overview"]
    assert dashboards_for(catalog, LEE) == []


def test_period_bounds() -> None:
    assert period_bounds("month", TODAY, back=1) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert period_bounds("month", dt.date(2026, 1, 9), 1) == (
        dt.date(2025, 12, 1),
        dt.date(2025, 12, 31),
    )
    assert period_bounds("week", TODAY) == (dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert period_bounds("quarter", TODAY) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_bounds("year", TODAY, 1) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


BAD_CARDS = [
    ({"type": "number", "title": "x", "module": "labor"}, "card_unknown_module", "/module"),
    ({"type": "chart", "report": "nope"}, "card_unknown_report", "/report"),
    (
        {
            "type": "number",
            "title": "x",
            "module": "labour",
            "where": "hours > 8 or trade == 'rebar'",
        },
        "card_where_not_a_filter",
        "/where",
    ),
    (
        {"type": "number", "title": "x", "module": "labour", "where": "hours > 8"},
        "card_field_not_stored",
        "/where",
    ),
    (
        {"type": "number", "title": "x", "module": "labour", "where": "wroker == 'a'"},
        "unknown_name",
        "/where",
    ),
    (
        {"type": "number", "title": "x", "module": "labour", "period": {"field": "worker"}},
        "card_period_not_a_date",
        "/period/field",
    ),
    (
        {"type": "number", "title": "x", "module": "labour", "measure": "amount"},
        "aggregate_required",
        "/measure",
    ),
    (
        {"type": "list", "title": "x", "module": "labour", "columns": ["nope"]},
        "card_unknown_field",
        "/columns/0",
    ),
]


@pytest.mark.parametrize(("card", "code", "where"), BAD_CARDS)
def test_pack_checks_refuse_a_bad_card(card: dict[str, Any], code: str, where: str) -> None:
    problems = check_pack(sample_pack(dashboards=[dashboard(DRAFTS, card)]))
    assert [(p.path, p.code) for p in problems] == [(f"/dashboards/0/cards/1{where}", code)]


def test_an_import_refuses_a_bad_dashboard_and_an_unknown_role(session: Any) -> None:
    pack = sample_pack(dashboards=[dashboard(DRAFTS, roles=["boss"]), dashboard(DRAFTS)])
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    codes = {(p.path, p.code) for p in refused.value.problems}
    assert codes == {
        ("/dashboards/0/roles/0", "dashboard_unknown_role"),
        ("/dashboards/1/id", "dashboard_id_twice"),
    }


def test_dashboards_are_in_the_diff_and_the_export(session: Any) -> None:
    from engine.definitions import load_pack
    from engine.packs.changes import describe_changes
    from engine.packs.diff import pack_diff
    from engine.packs.installed import export_pack

    old = load_pack(sample_pack(dashboards=[dashboard(DRAFTS)]))
    new = load_pack(sample_pack(version="1.0.1", dashboards=[dashboard(DRAFTS, CHART)]))
    (change,) = pack_diff(old, new)
    assert (change.section, change.key, change.change) == ("dashboards", "overview", "changed")
    assert describe_changes(old, new) == ["~ dashboard overview"]
    import_pack(session, sample_pack(dashboards=[dashboard(DRAFTS, CHART)]))
    exported = export_pack(session, "site")
    assert exported["dashboards"] == [dashboard(DRAFTS, CHART)]
    assert (
        load_pack(exported).dashboards
        == load_pack(sample_pack(dashboards=[dashboard(DRAFTS, CHART)])).dashboards
    )
