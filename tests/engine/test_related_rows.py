"""Related records through a child table: a purchase whose lines name a project is related to
that project once, however many of its lines name it, and its list filtered by
`filter[lines.project]` shows exactly the records the related section counts."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, actor
from engine.catalog import load_catalog
from engine.errors import ValidationFailed
from engine.packs import import_pack
from engine.records import Filter, ListQuery, create_record, list_records, parse_list_params
from engine.related import related_records
from tests.engine.rows_pack import purchase, purchase_module
from tests.engine.sample_pack import SAMPLE
from tests.engine.test_related import counted

LINES = "lines.project"


@pytest.fixture
def site(session: Session) -> dict[str, Any]:
    """Tower A is named by two lines of one purchase and one line of another; B by one."""
    pack = copy.deepcopy(SAMPLE)
    pack["modules"].append(
        purchase_module(
            foreman={"read": "own", "create": True},
            viewer={"read": "all", "fields": {"lines": "hidden"}},
        )
    )
    import_pack(session, pack)
    a = create_record(session, "project", {"code": "A", "name": "Tower A"}, SYSTEM).id
    b = create_record(session, "project", {"code": "B", "name": "Tower B"}, SYSTEM).id
    lee = actor("lee", "foreman")
    create_record(session, "purchase", purchase("steel", (a, "10.00"), (a, "5.50")), lee)
    create_record(session, "purchase", purchase("sand", (a, "1.25"), (b, "2.00")), SYSTEM)
    create_record(session, "purchase", purchase("glass", (b, "7.00"), (None, "1.00")), SYSTEM)
    return {"a": a, "b": b}


def purchases(groups: list[Any]) -> Any:
    (group,) = [g for g in groups if g.module.id == "purchase"]
    return group


def listed(session: Session, who: Any, project: str) -> Any:
    return list_records(
        session, "purchase", who, ListQuery(filters=(Filter(LINES, "eq", project),))
    )


def test_a_purchase_counts_once_for_each_project_its_lines_name(session, site) -> None:
    group = purchases(related_records(session, "project", site["a"], SYSTEM))
    assert group.count == 2 and group.table is not None and group.table.name == "lines"
    assert {i.title for i in group.items} == {"steel", "sand"}
    assert group.totals == {"total": Decimal("18.75")}  # each purchase's whole total, once
    assert group.filter_key == "filter[lines.project]"
    page = listed(session, SYSTEM, site["a"])
    assert (page.total, page.totals) == (group.count, group.totals)
    assert {r.data["supplier"] for r in page.items} == {"steel", "sand"}
    other = purchases(related_records(session, "project", site["b"], SYSTEM))
    assert other.count == 2 and listed(session, SYSTEM, site["b"]).total == 2


def test_the_list_filter_takes_a_list_of_projects_and_refuses_other_operators(session, site):
    module = load_catalog(session).module("purchase")
    query = parse_list_params(
        module, {"filter[lines.project][in]": f"{site['a']},{site['b']}"}, SYSTEM
    )
    assert list_records(session, "purchase", SYSTEM, query).total == 3
    for key, code in (
        ("filter[lines.project][ne]", "operator_not_applicable"),
        ("filter[lines.nothing]", "not_filterable"),
        ("filter[supplier.project]", "not_filterable"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            parse_list_params(module, {key: site["a"]}, SYSTEM)
        assert refused.value.problems[0].code == code, key
    query = parse_list_params(module, {"filter[lines.item]": "item 1"}, SYSTEM)
    assert list_records(session, "purchase", SYSTEM, query).total == 3  # any field of the rows


def test_a_reader_counts_only_what_they_may_read_and_a_hidden_table_is_no_group(session, site):
    lee = actor("lee", "foreman")
    group = purchases(related_records(session, "project", site["a"], lee))
    assert group.count == 1 and listed(session, lee, site["a"]).total == 1  # their own only
    assert purchases(related_records(session, "project", site["b"], lee)).count == 0
    viewer = actor("vi", "viewer")
    groups = related_records(session, "project", site["a"], viewer)
    assert "purchase" not in {g.module.id for g in groups}  # the lines are hidden from them
    module = load_catalog(session).module("purchase")
    with pytest.raises(ValidationFailed) as refused:
        parse_list_params(module, {"filter[lines.project]": site["a"]}, viewer)
    assert refused.value.problems[0].code == "not_filterable"


def test_a_group_through_rows_still_costs_one_statement(session, site) -> None:
    related_records(session, "project", site["a"], SYSTEM)
    with counted(session) as seen:
        groups = related_records(session, "project", site["a"], SYSTEM)
    assert len(seen) == 1 + len(groups), seen
