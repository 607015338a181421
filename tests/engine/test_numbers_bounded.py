"""Numbers from outside are refused by size before any conversion that grows with them.

`int(Decimal("1e1000000"))` alone takes about a minute of CPU: before the bound, each of
these requests would have stalled a worker. With it they are refused at once, by place.
"""

from __future__ import annotations

import json

import pytest

from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.db import OutOfRange, transaction
from engine.errors import DefinitionError, ExpressionError, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, parse_list_params
from engine.reports import run_report
from tests.engine.sample_pack import module, sample_pack

HUGE = "1e1000000"


def _pack_with_floors() -> dict:
    pack = sample_pack()
    module(pack, "project")["schema"]["properties"]["floors"] = {"type": "integer"}
    return pack


def test_huge_exponents_in_a_record_are_refused_each_by_its_path(session) -> None:
    import_pack(session, _pack_with_floors())
    with pytest.raises(ValidationFailed) as caught:
        create_record(
            session,
            "project",
            {"code": "P1", "name": "Tower", "floors": HUGE, "budget": "-" + HUGE},
            SYSTEM,
        )
    paths = {p.path for p in caught.value.problems}
    assert {"/floors", "/budget"} <= paths
    assert all("too large" in p.message for p in caught.value.problems if p.path in paths)


def test_a_huge_exponent_in_a_filter_is_refused_by_name(session) -> None:
    import_pack(session, _pack_with_floors())
    create_record(session, "project", {"code": "P1", "name": "Tower", "floors": 3}, SYSTEM)
    project = load_catalog(session).module("project")
    params = {"filter[floors][gte]": HUGE, "filter[budget][lt]": HUGE}
    with pytest.raises(ValidationFailed) as caught:
        parse_list_params(project, params, SYSTEM)
    assert {p.path for p in caught.value.problems} == set(params)


@pytest.mark.parametrize(
    ("place", "expression"),
    [
        ("formula", "round(budget, 1e200000)"),
        ("where", "budget > 1e200000"),
        ("formula", "budget * 1" + "0" * 200),
    ],
)
def test_huge_literals_in_pack_expressions_are_located_pack_errors(
    session, place: str, expression: str
) -> None:
    pack = sample_pack()
    if place == "formula":
        module(pack, "project")["schema"]["properties"]["rounded"] = {
            "type": "number",
            "x-formula": expression,
        }
    else:
        pack["reports"][0]["where"] = expression.replace("budget", "hours")
    with pytest.raises(DefinitionError) as caught:
        import_pack(session, pack)
    text = str(caught.value)
    assert "/rounded" in text or "/reports/0/where" in text
    assert "out of range" in text or "longer than" in text or "digits" in text


def test_a_report_that_overflows_is_an_expression_error_not_a_crash(session) -> None:
    pack = sample_pack()
    factor = " * 1e299" * 3
    pack["reports"][0]["measures"]["huge"] = f"sum(hours){factor}"
    import_pack(session, pack)
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    create_record(
        session,
        "labour",
        {
            "project": project.id,
            "date": "2026-03-02",
            "worker": "Lee",
            "trade": "rebar",
            "items": [{"task": "t", "hours": 4, "rate": "10.50"}],
        },
        SYSTEM,
    )
    with pytest.raises(ExpressionError, match="out of range"):
        run_report(session, pack["reports"][0]["id"], SYSTEM)


def test_an_integer_sum_past_the_database_range_is_refused_not_a_crash(
    session_factory, backend: str
) -> None:
    pack = sample_pack()
    module(pack, "labour")["schema"]["properties"]["units"] = {"type": "integer"}
    pack["reports"][0]["measures"]["units"] = "sum(units)"
    with transaction(session_factory) as session:
        import_pack(session, pack)
        project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
        for _ in range(2):  # each fits a 64-bit integer; their sum does not
            data = {"project": project.id, "date": "2026-03-02", "worker": "Lee"}
            data |= {"trade": "rebar", "units": 5 * 10**18, "items": []}
            create_record(session, "labour", data, SYSTEM)
    report = pack["reports"][0]["id"]
    if backend == "postgresql":  # sums bigints as NUMERIC: exact, no overflow
        with transaction(session_factory, write=False) as session:
            assert run_report(session, report, SYSTEM).rows[0]["units"] == 10**19
        return
    with pytest.raises(OutOfRange), transaction(session_factory, write=False) as session:
        run_report(session, report, SYSTEM)


@pytest.mark.parametrize("number", [HUGE, "1" + "0" * 5000])
def test_a_pack_whose_json_holds_a_huge_number_is_a_pack_error(session, number: str) -> None:
    text = json.dumps(sample_pack()).replace('"maxLength": 20', f'"maxLength": {number}', 1)
    with pytest.raises(DefinitionError, match="not valid JSON"):
        import_pack(session, text)
