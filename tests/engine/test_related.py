"""Related records: what links to a project, counted and summed in SQL as each viewer may read it.

The sample pack's projects get four more modules linking to them (costs, tasks, funds and
memos, besides the labour tallies), so a project has five groups of related records. Every
group answers what the module's list filtered to the project answers for the same viewer.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from engine import accounts
from engine.actor import SYSTEM, Actor, actor
from engine.errors import NotFound
from engine.packs import import_pack
from engine.records import Filter, ListQuery, create_record, list_records
from engine.related import RelatedGroup, related_records
from tests.engine.people import make_user
from tests.engine.sample_pack import SAMPLE

START = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)


def linked_module(module_id: str, title_field: str, **permissions: Any) -> dict[str, Any]:
    """A module with a link to the project, a title and an amount summed in its list."""
    return {
        "id": module_id,
        "title": {"en": module_id.title(), "zh-CN": module_id},
        "title_field": title_field,
        "schema": {
            "type": "object",
            "required": ["project"],
            "properties": {
                "project": {"type": "string", "x-ref": "project", "title": "Project"},
                title_field: {"type": "string"},
                "amount": {"type": "number", "x-scale": 2, "x-format": "money"},
            },
        },
        "ui": {"list": {"columns": [title_field, "amount"], "totals": ["amount"]}},
        "permissions": permissions,
    }


def related_pack() -> dict[str, Any]:
    pack = copy.deepcopy(SAMPLE)
    pack["modules"] += [
        linked_module(
            "cost",
            "subject",
            site_manager={"read": "all", "scope": ["project"]},
            viewer={"read": "all", "fields": {"amount": "hidden"}},
        ),
        linked_module("task", "name", foreman={"read": "all"}, viewer={"read": "all"}),
        linked_module("fund", "payee", viewer={"read": "all", "fields": {"project": "hidden"}}),
        linked_module("memo", "note", viewer={"read": "all"}),
    ]
    return pack


@pytest.fixture
def site(session: Session) -> dict[str, Any]:
    """Two projects; tower A has tallies by two foremen, costs, seven tasks, funds, a memo."""
    import_pack(session, related_pack())
    a = create_record(session, "project", {"code": "A", "name": "Tower A"}, SYSTEM).id
    b = create_record(session, "project", {"code": "B", "name": "Tower B"}, SYSTEM).id
    make_user(session, "zhao", "site_manager")
    accounts.add_grant(session, "zhao", "project", a)
    lee, wang = actor("lee", "foreman"), actor("wang", "foreman")
    for who, hours, project in [(lee, 4, a), (lee, 2, a), (wang, 8, a), (lee, 3, b)]:
        tally = {
            "project": project,
            "date": "2026-11-02",
            "worker": who.name,
            "items": [{"task": "rebar", "hours": hours, "rate": "10.50"}],
        }
        create_record(session, "labour", tally, who)
    for n, amount in enumerate(["100.10", "200.20"]):
        create_record(session, "cost", {"project": a, "subject": f"c{n}", "amount": amount}, SYSTEM)
    create_record(session, "cost", {"project": b, "subject": "cb", "amount": "5.00"}, SYSTEM)
    for n in range(7):
        task = {"project": a, "name": f"task {n}", "amount": "1.00"}
        create_record(session, "task", task, SYSTEM, now=START + dt.timedelta(hours=n))
    create_record(session, "fund", {"project": a, "payee": "bank", "amount": "9.99"}, SYSTEM)
    create_record(session, "memo", {"project": a, "note": "kick-off"}, SYSTEM)
    return {"a": a, "b": b}


def by_module(groups: list[RelatedGroup]) -> dict[str, RelatedGroup]:
    return {g.module.id: g for g in groups}


def assert_same_as_the_list(session: Session, groups: list[RelatedGroup], record: str, who: Actor):
    """Each group's count and totals are what the filtered list of its module answers."""
    for group in groups:
        query = ListQuery(filters=(Filter(group.link.name, "eq", record),))
        page = list_records(session, group.module.id, who, query)
        assert (group.count, group.totals) == (page.total, page.totals), group.module.id


def test_an_admin_sees_every_module_linking_to_the_project_with_counts_and_totals(session, site):
    groups = related_records(session, "project", site["a"], SYSTEM)
    assert [g.module.id for g in groups] == ["labour", "cost", "task", "fund", "memo"]
    seen = by_module(groups)
    assert seen["labour"].count == 3
    assert seen["labour"].totals == {"hours": Decimal("14.0"), "amount": Decimal("147.00")}
    assert seen["cost"].count == 2 and seen["cost"].totals == {"amount": Decimal("300.30")}
    assert seen["memo"].totals == {"amount": None}  # a sum over no amounts at all
    tasks = seen["task"]
    assert tasks.count == 7 and len(tasks.items) == 5  # the newest five; the list has the rest
    assert [i.title for i in tasks.items] == ["task 6", "task 5", "task 4", "task 3", "task 2"]
    assert tasks.filter_key == "filter[project]"
    assert_same_as_the_list(session, groups, site["a"], SYSTEM)


def test_a_project_with_nothing_linked_shows_empty_groups(session, site):
    groups = by_module(related_records(session, "project", site["b"], SYSTEM))
    assert groups["task"].count == 0 and groups["task"].items == ()
    assert groups["cost"].count == 1 and groups["labour"].count == 1


def test_a_site_manager_counts_only_the_rows_of_projects_granted_to_them(session, site):
    zhao = accounts.actor_of(accounts.get_user(session, "zhao"))
    granted = by_module(related_records(session, "project", site["a"], zhao))
    assert list(granted) == ["labour", "cost"]  # no role of theirs reads tasks, funds, memos
    assert granted["cost"].count == 2 and granted["labour"].count == 3
    other = by_module(related_records(session, "project", site["b"], zhao))
    assert other["cost"].count == 0 and other["labour"].count == 0  # tower B: not granted
    assert other["cost"].totals == {"amount": None}
    for project in (site["a"], site["b"]):
        assert_same_as_the_list(
            session, related_records(session, "project", project, zhao), project, zhao
        )


def test_a_foreman_counts_their_own_tallies_and_modules_they_cannot_read_are_absent(session, site):
    lee = actor("lee", "foreman")
    groups = related_records(session, "project", site["a"], lee)
    seen = by_module(groups)
    assert list(seen) == ["labour", "task"]  # costs, funds and memos: no role reads them
    assert seen["labour"].count == 2  # Wang's eight hours are not theirs to read
    assert seen["labour"].totals == {"hours": Decimal("6.0"), "amount": Decimal("63.00")}
    assert_same_as_the_list(session, groups, site["a"], lee)


def test_hidden_totals_and_a_hidden_link_are_withheld_from_a_viewer(session, site):
    viewer = actor("vi", "viewer")
    groups = related_records(session, "project", site["a"], viewer)
    seen = by_module(groups)
    assert "fund" not in seen  # its link to the project is hidden from viewers
    assert seen["labour"].totals == {"hours": Decimal("14.0")}  # amount is hidden
    assert seen["cost"].totals == {} and seen["cost"].count == 2
    assert_same_as_the_list(session, groups, site["a"], viewer)


def test_a_record_out_of_scope_or_unknown_is_not_found(session, site):
    with pytest.raises(NotFound):
        related_records(session, "project", "no-such-id", SYSTEM)
    scoped = copy.deepcopy(related_pack())
    scoped["version"] = "1.1.0"
    scoped["modules"][0]["permissions"]["viewer"] = {"read": "own"}
    import_pack(session, scoped)
    with pytest.raises(NotFound):
        related_records(session, "project", site["a"], actor("vi", "viewer"))


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_five_related_modules_cost_one_statement_each_and_one_for_the_record(session, site):
    zhao = accounts.actor_of(accounts.get_user(session, "zhao"))
    for who, groups in ((SYSTEM, 5), (zhao, 2)):
        related_records(session, "project", site["a"], who)  # the catalog is read once
        with counted(session) as seen:
            answer = related_records(session, "project", site["a"], who)
        assert len(answer) == groups
        assert len(seen) == 1 + groups, seen
