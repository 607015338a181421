"""Reports: grouped sums in SQL that respect who is looking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine.actor import SYSTEM, actor
from engine.packs import import_pack
from engine.records import Filter, create_record
from engine.reports import run_report
from tests.engine.sample_pack import sample_pack


def test_grouped_report_by_trade_and_month(session):
    pack = sample_pack()
    pack["reports"].append(
        {
            "id": "monthly",
            "title": "Monthly",
            "module": "labour",
            "where": "$state == 'draft'",
            "group_by": ["trade", "month(date)"],
            "measures": {"lines": "count()", "hours": "sum(hours)", "amount": "sum(amount)"},
        }
    )
    import_pack(session, pack)
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    foreman = actor("lee", "foreman")
    for date, trade, hours in [
        ("2026-10-03", "rebar", 4),
        ("2026-10-20", "rebar", 2),
        ("2026-11-01", "rebar", 3),
        ("2026-11-05", "formwork", 5),
    ]:
        create_record(
            session,
            "labour",
            {
                "project": project.id,
                "date": date,
                "worker": "Lee",
                "trade": trade,
                "items": [{"task": "t", "hours": hours, "rate": "10.50"}],
            },
            foreman,
        )
    result = run_report(session, "monthly", SYSTEM)
    assert result.columns == ["trade", "month", "lines", "hours", "amount"]
    assert result.rows == [
        {
            "trade": "formwork",
            "month": "2026-11",
            "lines": 1,
            "hours": Decimal("5.0"),
            "amount": Decimal("52.50"),
        },
        {
            "trade": "rebar",
            "month": "2026-10",
            "lines": 2,
            "hours": Decimal("6.0"),
            "amount": Decimal("63.00"),
        },
        {
            "trade": "rebar",
            "month": "2026-11",
            "lines": 1,
            "hours": Decimal("3.0"),
            "amount": Decimal("31.50"),
        },
    ]
    filtered = run_report(session, "monthly", SYSTEM, [Filter("date", "gte", dt.date(2026, 11, 1))])
    assert [r["lines"] for r in filtered.rows] == [1, 1]
    viewer = run_report(session, "monthly", actor("v", "viewer"))
    assert "amount" not in viewer.columns  # hidden from viewers
    other = run_report(session, "monthly", actor("wang", "foreman"))
    assert other.rows == []  # foremen read only their own records
