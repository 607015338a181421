"""Listing: filters, search, sort, pages and totals as a manager would use them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

from engine.accounts import add_grant, create_user
from engine.actor import SYSTEM, actor
from engine.errors import ValidationFailed
from engine.packs import import_pack
from engine.records import ListQuery, create_record, list_records, parse_list_params
from tests.engine.sample_pack import sample_pack

FOREMAN = actor("lee", "foreman")


@pytest.fixture
def filled(session):
    import_pack(session, sample_pack())
    p1 = create_record(session, "project", {"code": "P1", "name": "Riverside Tower"}, SYSTEM)
    p2 = create_record(session, "project", {"code": "P2", "name": "Harbour Bridge"}, SYSTEM)
    rows = [
        (p1, "2026-10-01", "Lee Wei", "rebar", "8", "40", ["night"], "tied 50% of bars"),
        (p1, "2026-10-15", "Wang Fang", "formwork", "6", "45", [], None),
        (p1, "2026-11-01", "Zhang Min", "concrete", "7.5", "50", ["rain", "urgent"], None),
        (p2, "2026-11-02", "Lee Wei", "rebar", "4", "40", ["urgent"], "north side"),
        (p2, "2026-11-20", "Chen Jie", None, "2", "60", [], None),
    ]
    for project, date, worker, trade, hours, rate, tags, notes in rows:
        create_record(
            session,
            "labour",
            {
                "project": project.id,
                "date": date,
                "worker": worker,
                "trade": trade,
                "tags": tags,
                "notes": notes,
                "items": [{"task": "work", "hours": hours, "rate": rate}],
            },
            FOREMAN,
        )
    return p1, p2


def workers(page):
    return [r.data["worker"] for r in page.items]


def query(session, params, who=FOREMAN):
    from engine.catalog import load_catalog

    module = load_catalog(session).module("labour")
    return list_records(session, "labour", who, parse_list_params(module, params, who))


def test_default_sort_totals_and_titles(session, filled):
    page = list_records(session, "labour", FOREMAN)
    assert workers(page) == ["Chen Jie", "Lee Wei", "Zhang Min", "Wang Fang", "Lee Wei"]
    assert page.total == 5
    assert page.totals == {"hours": Decimal("27.5"), "amount": Decimal("1245.00")}
    assert page.items[0].titles["project"] == "Harbour Bridge"
    assert page.items[0].data["items"][0]["amount"] == Decimal("120.00")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"filter[trade]": "rebar"}, {"Lee Wei"}),
        ({"filter[trade][ne]": "rebar"}, {"Wang Fang", "Zhang Min", "Chen Jie"}),
        ({"filter[hours][gte]": "7.5"}, {"Lee Wei", "Zhang Min"}),
        ({"filter[hours][lt]": "4"}, {"Chen Jie"}),
        ({"filter[amount][lte]": "160"}, {"Lee Wei", "Chen Jie"}),
        ({"filter[date][between]": "2026-10-10,2026-11-01"}, {"Wang Fang", "Zhang Min"}),
        ({"filter[trade][in]": "formwork,concrete"}, {"Wang Fang", "Zhang Min"}),
        ({"filter[worker][contains]": "wei"}, {"Lee Wei"}),
        ({"filter[tags][contains]": "urgent"}, {"Zhang Min", "Lee Wei"}),
        ({"filter[$state]": "draft"}, {"Lee Wei", "Wang Fang", "Zhang Min", "Chen Jie"}),
        ({"q": "50%"}, {"Lee Wei"}),
        ({"q": "NORTH"}, {"Lee Wei"}),
        ({"q": "_"}, set()),  # a wildcard typed by the user is a plain character
        ({"filter[worker][contains]": "%"}, set()),
        ({"q": "LT-"}, {"Lee Wei", "Wang Fang", "Zhang Min", "Chen Jie"}),
    ],
)
def test_filters(session, filled, params, expected):
    assert set(workers(query(session, params))) == expected


def test_filter_on_link_and_totals_follow_filters(session, filled):
    p1, _ = filled
    page = query(session, {"filter[project]": p1.id})
    assert page.total == 3
    assert page.totals["hours"] == Decimal("21.5")


def test_sort_by_any_column_and_pages(session, filled):
    page = query(session, {"sort": "worker,-date", "per_page": "2", "page": "2"})
    assert workers(page) == ["Lee Wei", "Wang Fang"]
    assert page.pages == 3
    assert workers(query(session, {"sort": "$number"}))[0] == "Lee Wei"
    assert workers(query(session, {"sort": "-amount"}))[0] == "Zhang Min"
    by_project = query(session, {"sort": "project"})
    assert [r.titles["project"] for r in by_project.items][:2] == ["Harbour Bridge"] * 2


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"filter[salary]": "1"}, "filter[salary]"),
        ({"filter[hours][like]": "1"}, "filter[hours][like]"),
        ({"filter[hours]": "abc"}, "filter[hours]"),
        ({"filter[checked][gt]": "true"}, "filter[checked][gt]"),
        ({"filter[date][between]": "2026-01-01"}, "filter[date][between]"),
        ({"filter[x'; drop table m_labour; --]": "1"}, "filter[x'; drop table m_labour; --]"),
        ({"sort": "password"}, "sort"),
        ({"page": "0"}, "page"),
        ({"per_page": "100000"}, "per_page"),
        ({f"filter[f{i}]": "1" for i in range(60)}, "filter"),
    ],
)
def test_bad_queries_are_refused_with_their_place(session, filled, params, path):
    with pytest.raises(ValidationFailed) as caught:
        query(session, params)
    assert path in {p.path for p in caught.value.problems}
    assert list_records(session, "labour", FOREMAN).total == 5


def test_hidden_field_cannot_be_filtered_or_sorted(session, filled):
    viewer = actor("v", "viewer")
    with pytest.raises(ValidationFailed):
        query(session, {"filter[amount][gt]": "1"}, viewer)
    with pytest.raises(ValidationFailed):
        query(session, {"sort": "amount"}, viewer)
    page = list_records(session, "labour", viewer)
    assert "amount" not in page.totals and "amount" not in page.items[0].data


def test_scope_limits_rows_counts_and_totals(session, filled):
    p1, _ = filled
    user = create_user(session, "zhao", "correct horse battery", roles=["site_manager"])
    manager = actor("zhao", "site_manager", user_id=user.id)
    assert list_records(session, "labour", manager).total == 0
    add_grant(session, user, "project", p1.id)
    page = list_records(session, "labour", manager)
    assert page.total == 3
    assert page.totals["hours"] == Decimal("21.5")


def test_a_page_costs_few_statements(session, filled):
    statements = []

    def count(*_args):
        statements.append(1)

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", count)
    try:
        list_records(session, "labour", FOREMAN, ListQuery(per_page=20))
    finally:
        event.remove(bind, "before_cursor_execute", count)
    assert len(statements) <= 6
