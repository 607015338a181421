"""Over the API a formula over rollups sorts and filters the list like a stored field: a
project's remaining budget (its budget less its labour and other costs, stored rollups)."""

from __future__ import annotations

from decimal import Decimal

from tests.web.helpers import Api, body

PROJECTS = "/modules/project/records"


def remaining(api: Api, **query: str) -> list[tuple[str, Decimal | None]]:
    listed = body(api.get(PROJECTS, as_="admin", query_string={"per_page": "100", **query}))
    assert "items" in listed, (query, listed)
    return [(r["data"]["code"], r["data"]["remaining_budget"]) for r in listed["items"]]


def test_projects_sort_and_filter_by_their_remaining_budget(api: Api) -> None:
    for code, budget in (("P-SMALL", "1000.00"), ("P-LARGE", "3000.00")):
        data = {"code": code, "name": code, "status": "active", "budget": budget}
        made = api.post(PROJECTS, as_="admin", json={"data": data})
        assert made.status_code == 201, made.text[:300]
        assert body(made)["data"]["remaining_budget"] == Decimal(budget)  # nothing spent yet
    shown = remaining(api, sort="-remaining_budget")
    figures = [value for _, value in shown if value is not None]
    assert figures == sorted(figures, reverse=True) and len(figures) >= 2
    found = remaining(api, **{"filter[remaining_budget][gte]": "1000", "sort": "code"})
    wanted = sorted((c, v) for c, v in shown if v is not None and v >= Decimal("1000"))
    assert found == wanted and ("P-LARGE", Decimal("3000.00")) in found
    below = remaining(api, **{"filter[remaining_budget][lt]": "1000.01"})
    assert ("P-SMALL", Decimal("1000.00")) in below
    assert all(v is not None and v < Decimal("1000.01") for _, v in below)
