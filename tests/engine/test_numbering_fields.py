"""Record numbers that print field values: a sequence per prefix, drawn once, safe under races."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from engine.accounts import actor_of
from engine.db import transaction
from engine.errors import BatchFailed, DefinitionError, ValidationFailed
from engine.models import User
from engine.packs import import_pack
from engine.records import create_record, get_record, update_record
from engine.records.service import create_records
from tests.engine.people import make_user
from tests.engine.unique_pack import unique_pack

WRITERS = 6


@pytest.fixture
def sites(session):
    """A keeper, two sites (N, S) and a few materials."""
    import_pack(session, unique_pack())
    keeper = make_user(session, "kim", "keeper")
    north, south = create_records(
        session, "site", [{"code": "N", "name": "North"}, {"code": "S", "name": "South"}], keeper
    )
    materials = create_records(session, "material", [{"name": f"m{i}"} for i in range(4)], keeper)
    return keeper, north, south, materials


def test_the_sequence_restarts_for_each_linked_value(session, sites) -> None:
    keeper, north, south, (m0, m1, m2, _) = sites
    made = [
        create_record(session, "stock", {"site": site, "material": m}, keeper).number
        for site, m in ((north, m0), (north, m1), (south, m0), (north, m2))
    ]
    assert made == ["N-SC-0001", "N-SC-0002", "S-SC-0001", "N-SC-0003"]


def test_one_batch_numbers_each_prefix_in_the_order_given(session, sites) -> None:
    keeper, north, south, (m0, m1, m2, _) = sites
    items = [
        {"site": south, "material": m0},
        {"site": north, "material": m0},
        {"site": south, "material": m1},
    ]
    ids = create_records(session, "stock", items, keeper)
    numbers = [get_record(session, "stock", i, keeper).number for i in ids]
    assert numbers == ["S-SC-0001", "N-SC-0001", "S-SC-0002"]


def test_a_value_the_number_needs_must_be_given(session, sites) -> None:
    keeper, _north, _south, (m0, *_) = sites
    unnamed = create_record(session, "site", {"name": "No code yet"}, keeper)
    with pytest.raises(ValidationFailed) as caught:
        create_record(session, "stock", {"site": unnamed.id, "material": m0}, keeper)
    (problem,) = caught.value.problems
    assert (problem.path, problem.code) == ("/site", "numbering_value_missing")
    assert problem.params["token"] == "site.code"
    assert "'site.code'" in problem.message
    with pytest.raises(BatchFailed) as batch:
        create_records(session, "stock", [{"site": unnamed.id, "material": m0}], keeper)
    assert [(i, p.code) for i, p in batch.value.items] == [(0, "numbering_value_missing")]


def test_a_number_too_long_for_its_column_is_refused_before_it_is_drawn(session) -> None:
    pack = unique_pack()
    pack["modules"][0]["schema"]["properties"]["code"]["maxLength"] = 100
    import_pack(session, pack)
    keeper = make_user(session, "kim", "keeper")
    (site,) = create_records(session, "site", [{"code": "X" * 60, "name": "Long"}], keeper)
    (material,) = create_records(session, "material", [{"name": "m"}], keeper)
    with pytest.raises(ValidationFailed) as caught:
        create_record(session, "stock", {"site": site, "material": material}, keeper)
    (problem,) = caught.value.problems
    assert (problem.path, problem.code, problem.params["limit"]) == (
        "/site",
        "numbering_too_long",
        64,
    )


def test_a_value_changed_later_does_not_renumber(session, sites) -> None:
    keeper, north, _south, (m0, m1, *_) = sites
    card = create_record(session, "stock", {"site": north, "material": m0}, keeper)
    site = get_record(session, "site", north, keeper)
    update_record(session, "site", north, site.version, {"code": "NN"}, keeper)
    assert get_record(session, "stock", card.id, keeper).number == "N-SC-0001"
    later = create_record(session, "stock", {"site": north, "material": m1}, keeper)
    assert later.number == "NN-SC-0001"


def test_dates_and_values_mix_in_one_pattern(session) -> None:
    pack = unique_pack()
    pack["modules"][2]["numbering"] = "{site.code}/{YYYY}{MM}/{seq:2}"
    import_pack(session, pack)
    keeper = make_user(session, "kim", "keeper")
    (site,) = create_records(session, "site", [{"code": "E7", "name": "East"}], keeper)
    (material,) = create_records(session, "material", [{"name": "m"}], keeper)
    day = dt.datetime(2026, 3, 9, 8, tzinfo=dt.UTC)
    card = create_record(session, "stock", {"site": site, "material": material}, keeper, now=day)
    assert card.number == "E7/202603/01"


def test_writers_at_once_draw_distinct_numbers_of_one_prefix(session_factory) -> None:
    with transaction(session_factory) as session:
        import_pack(session, unique_pack())
        keeper = make_user(session, "kim", "keeper")
        (site,) = create_records(session, "site", [{"code": "R", "name": "Race"}], keeper)
        materials = create_records(
            session, "material", [{"name": f"m{i}"} for i in range(WRITERS)], keeper
        )
    barrier = threading.Barrier(WRITERS)
    numbers: list[str] = []
    lock = threading.Lock()

    def write(material: str) -> None:
        barrier.wait()
        with transaction(session_factory) as session:
            actor = actor_of(session.scalars(select(User).where(User.name == "kim")).one())
            card = create_record(session, "stock", {"site": site, "material": material}, actor)
        with lock:
            numbers.append(card.number)

    threads = [threading.Thread(target=write, args=(m,)) for m in materials]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(numbers) == [f"R-SC-{n:04d}" for n in range(1, WRITERS + 1)]


@pytest.mark.parametrize(
    ("pattern", "code", "token"),
    [
        ("{sit.code}-{seq:4}", "numbering_unknown_token", "sit.code"),
        ("{site.nam}-{seq:4}", "numbering_unknown_token", "site.nam"),
        ("{site}-{seq:4}", "numbering_link_needs_field", "site"),
        ("{qty.code}-{seq:4}", "numbering_not_a_value", "qty.code"),
        ("{seq}-{seq:2}", "numbering_two_sequences", None),
    ],
)
def test_a_numbering_the_engine_cannot_fill_is_refused_at_import(
    session, pattern: str, code: str, token: str | None
) -> None:
    pack = unique_pack()
    pack["modules"][2]["numbering"] = pattern
    with pytest.raises(DefinitionError) as caught:
        import_pack(session, pack)
    found = [(p.path, p.code, p.params.get("token")) for p in caught.value.problems]
    assert found == [("/modules/2/numbering", code, token)]
