"""Create-from and computed defaults: a purchase order made from an approved request, its
lines copied and priced from the catalogue, and the mistakes import refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.definitions.loader import load_pack
from engine.errors import DefinitionError, NotFound, PermissionDenied, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, get_record
from engine.records.create_from import offers, prefill_from
from engine.workflow import apply_transition
from tests.engine.create_from_pack import module, purchasing_pack
from tests.engine.people import make_user


@pytest.fixture
def world(session):
    import_pack(session, purchasing_pack())
    buyer = make_user(session, "wang", "buyer")
    requester = make_user(session, "li", "requester")
    make_user(session, "zhou")
    site = create_record(session, "site", {"name": "Tower", "manager": "zhou"}, SYSTEM)
    rebar = create_record(
        session, "material", {"name": "Rebar", "unit": "t", "price": 4200}, SYSTEM
    )
    sand = create_record(session, "material", {"name": "Sand", "unit": "m3", "price": 95.5}, SYSTEM)
    data = {
        "site": site.id,
        "supplier": "Hebei Steel",
        "lines": [{"material": rebar.id, "qty": 2}, {"material": sand.id, "qty": 10, "price": 90}],
    }
    request = create_record(session, "purchase_request", data, requester)
    return {
        "buyer": buyer,
        "requester": requester,
        "site": site,
        "rebar": rebar,
        "sand": sand,
        "request": request,
    }


def test_defaults_fill_empty_fields_through_links_and_leave_given_values(session, world):
    request = world["request"]
    assert request.data["needed_by"] == dt.date.today() + dt.timedelta(days=14)
    first, second = request.data["lines"]
    assert (first["unit"], first["price"], first["amount"]) == (
        "t",
        Decimal("4200.00"),
        Decimal("8400.00"),
    )
    assert (second["unit"], second["price"]) == ("m3", Decimal("90.00"))  # the given price stays


def test_an_order_made_from_an_approved_request_copies_its_lines_and_links_back(session, world):
    request, buyer = world["request"], world["buyer"]
    with pytest.raises(ValidationFailed) as refused:  # not approved yet
        prefill_from(session, "purchase_order", "purchase_request", request.id, buyer)
    assert refused.value.problems[0].code == "create_from_refused"
    apply_transition(session, "purchase_request", request.id, "approve", buyer)
    values = prefill_from(session, "purchase_order", "purchase_request", request.id, buyer)
    assert values["request"] == request.id and values["supplier"] == "Hebei Steel"
    assert [(r["material"], r["qty"]) for r in values["lines"]] == [
        (world["rebar"].id, Decimal("2.00")),
        (world["sand"].id, Decimal("10.00")),
    ]
    order = create_record(session, "purchase_order", values, buyer)
    assert order.data["request"] == request.id
    assert order.data["manager"] == "zhou"  # x-default through the site link
    assert [r["price"] for r in order.data["lines"]] == [Decimal("4200.00"), Decimal("95.50")]


def test_only_who_may_create_the_target_is_offered_it(session, world):
    request = world["request"]
    apply_transition(session, "purchase_request", request.id, "approve", world["buyer"])
    catalog = load_catalog(session)
    source = catalog.module("purchase_request")
    fresh = get_record(session, "purchase_request", request.id, world["buyer"])
    assert [o.module.id for o in offers(catalog, source, fresh, world["buyer"])] == [
        "purchase_order"
    ]
    assert offers(catalog, source, fresh, world["requester"]) == []
    with pytest.raises(PermissionDenied):
        prefill_from(session, "purchase_order", "purchase_request", request.id, world["requester"])
    with pytest.raises(NotFound):
        prefill_from(session, "purchase_order", "material", world["rebar"].id, world["buyer"])


def _problems(pack):
    with pytest.raises(DefinitionError) as refused:
        load_pack(pack)
    return {(p.path, p.code) for p in refused.value.problems}


def test_import_refuses_a_mapping_to_a_missing_field_and_other_mismatches():
    pack = purchasing_pack()
    spec = module(pack, "purchase_order")["create_from"][0]
    spec["map"] = {"vendor": "supplier", "supplier": "suplier", "request": "site"}
    spec["children"] = {
        "lines": {"from": "lines", "map": {"qty": "material"}},
        "site": {"from": "lines"},
    }
    spec["link"] = "site"
    at = "/modules/3/create_from/0"
    assert _problems(pack) == {
        (f"{at}/map/vendor", "create_from_unknown_field"),
        (f"{at}/map/supplier", "create_from_unknown_source"),
        (f"{at}/map/request", "create_from_type_clash"),
        (f"{at}/children/lines/map/qty", "create_from_type_clash"),
        (f"{at}/children/site", "create_from_not_a_table"),
        (f"{at}/link", "create_from_bad_link"),
    }


def test_import_checks_computed_defaults():
    pack = purchasing_pack()
    order = module(pack, "purchase_order")["schema"]["properties"]
    order["manager"]["x-default"] = "site.boss"
    order["supplier"]["x-default"] = "today()"
    order["lines"]["items"]["properties"]["unit"]["x-default"] = "material.colour"
    at = "/modules/3/schema/properties"
    assert _problems(pack) == {
        (f"{at}/manager/x-default", "unknown_name"),
        (f"{at}/supplier/x-default", "default_type_clash"),
        (f"{at}/lines/items/properties/unit/x-default", "unknown_name"),
    }
    module(pack, "purchase_order")["create_from"][0]["module"] = "tender"
    assert ("/modules/3/create_from/0/module", "create_from_unknown_module") in _problems(pack)


def test_a_required_field_with_a_computed_default_is_not_called_missing(session):
    pack = purchasing_pack()
    module(pack, "purchase_request")["schema"]["required"].append("needed_by")
    import_pack(session, pack)
    site = create_record(session, "site", {"name": "Tower"}, SYSTEM)
    with pytest.raises(ValidationFailed) as refused:  # malformed: every problem said at once
        create_record(session, "purchase_request", {"site": site.id, "supplier": 7}, SYSTEM)
    assert [p.path for p in refused.value.problems] == ["/supplier"]
    made = create_record(session, "purchase_request", {"site": site.id}, SYSTEM)
    assert made.data["needed_by"] == dt.date.today() + dt.timedelta(days=14)


def test_the_meta_schema_refuses_a_misspelled_create_from_key_and_a_non_text_default():
    pack = purchasing_pack()
    module(pack, "purchase_order")["create_from"][0]["maps"] = {}
    module(pack, "site")["schema"]["properties"]["name"]["x-default"] = 3
    assert _problems(pack) == {
        ("/modules/1/schema/properties/name/x-default", "type"),
        ("/modules/3/create_from/0", "unknown_key"),
    }
