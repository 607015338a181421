"""Over HTTP: a store's materials sum the lines of received goods receipts, and a report
groups those lines by material.

The admin imports a small stores pack beside the construction pack, a foreman records two
receipts with lines, the admin receives one. The material shows the received quantity to
the admin and withholds it from the foreman, who reads only his own receipts; the report
of received lines by material answers each reader with the lines they may read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.web.helpers import Api, body

RECEIVED_WHERE = "$state == 'received'"


def stores_pack() -> dict[str, Any]:
    line = {
        "type": "object",
        "required": ["material", "qty"],
        "properties": {
            "material": {"type": "string", "x-ref": "material"},
            "qty": {"type": "number", "x-scale": 2, "minimum": 0},
        },
    }
    rollup = {"module": "receipt", "table": "lines", "link": "material", "value": "sum(qty)"}
    return {
        "format": "formwork.pack/1",
        "id": "stores",
        "version": "1.0.0",
        "title": "Stores",
        "roles": [{"id": "foreman", "title": "Foreman"}],
        "modules": [
            {
                "id": "material",
                "title": "Material",
                "title_field": "name",
                "schema": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "received": {
                            "type": "number",
                            "x-scale": 2,
                            "x-rollup": {**rollup, "where": RECEIVED_WHERE},
                        },
                    },
                },
                "permissions": {"foreman": {"read": "all"}},
            },
            {
                "id": "receipt",
                "title": "Goods receipt",
                "schema": {
                    "type": "object",
                    "required": ["date"],
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "lines": {"type": "array", "items": line},
                    },
                },
                "workflow": {
                    "initial": "draft",
                    "states": {"draft": {"title": "Draft"}, "received": {"title": "Received"}},
                    "transitions": [{"id": "receive", "from": "draft", "to": "received"}],
                },
                "permissions": {"foreman": {"create": True, "read": "own", "update": "own"}},
            },
        ],
        "reports": [
            {
                "id": "received_by_material",
                "title": "Received by material",
                "module": "receipt",
                "rows": "lines",
                "where": RECEIVED_WHERE,
                "group_by": ["material"],
                "measures": {"lines": "count()", "qty": "sum(qty)"},
            }
        ],
    }


def test_materials_and_a_report_sum_received_lines_as_each_reader_may_see(api: Api) -> None:
    imported = api.post("/packs", json=stores_pack())
    assert imported.status_code in (200, 201), imported.text
    cement, sand = (
        body(api.post("/modules/material/records", json={"data": {"name": n}}))["id"]
        for n in ("cement", "sand")
    )
    lines = [{"material": cement, "qty": 5}, {"material": sand, "qty": 2}]
    first = api.post(
        "/modules/receipt/records",
        as_="foreman",
        json={"data": {"date": "2026-03-02", "lines": lines}},
    )
    assert first.status_code == 201, first.text
    second = {"date": "2026-03-03", "lines": [{"material": cement, "qty": "1.5"}]}
    api.post("/modules/receipt/records", as_="foreman", json={"data": second})
    receive = f"/modules/receipt/records/{body(first)['id']}/transitions/receive"
    assert api.post(receive, json={}).status_code == 200
    material = body(api.get(f"/modules/material/records/{cement}"))
    assert material["data"]["received"] == Decimal("5.00")
    seen = body(api.get(f"/modules/material/records/{cement}", as_="foreman"))
    assert "received" not in seen["data"]  # he may not read every receipt
    report = body(api.get("/reports/received_by_material"))
    assert report["columns"] == ["material", "lines", "qty"]
    got = {r["material"]: (r["lines"], r["qty"]) for r in report["rows"]}
    assert got == {cement: (1, Decimal("5.00")), sand: (1, Decimal("2.00"))}
    third = api.post(
        "/modules/receipt/records", json={"data": {"date": "2026-03-04", "lines": lines}}
    )
    api.post(f"/modules/receipt/records/{body(third)['id']}/transitions/receive", json={})
    everything = body(api.get("/reports/received_by_material"))["rows"]
    assert {r["material"]: r["qty"] for r in everything} == {
        cement: Decimal("10.00"),
        sand: Decimal("4.00"),
    }
    theirs = body(api.get("/reports/received_by_material", as_="foreman"))["rows"]
    assert {r["material"]: r["qty"] for r in theirs} == {k: v[1] for k, v in got.items()}
