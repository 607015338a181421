"""Printing: a pack's template in the sandbox, amounts in Chinese capitals, signatures, bounds.

The construction pack's voucher prints a payment as the reader may read it (a viewer's
hidden bank account is absent); a hostile template — Python attributes, huge loops, huge
strings, recursion — ends in a coded problem, never in a crash or a hung worker.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor
from engine.catalog import load_catalog
from engine.errors import NotFound, ValidationFailed
from engine.money_words import money_in_words
from engine.packs import import_pack
from engine.prints import PrintLocale, render_print
from engine.records import ListQuery, create_record, get_record, list_records
from engine.workflow import apply_transition
from tests.engine.people import make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "零元整"),
        ("0.00", "零元整"),
        (10, "壹拾元整"),
        ("100.05", "壹佰元零伍分"),
        (1000000, "壹佰万元整"),
        ("10020.30", "壹万零贰拾元叁角整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("1001", "壹仟零壹元整"),
        ("1010.50", "壹仟零壹拾元伍角整"),
        ("20.07", "贰拾元零柒分"),
        ("0.05", "伍分"),
        ("0.5", "伍角整"),
        ("100010001", "壹亿零壹万零壹元整"),
        ("100000000", "壹亿元整"),
        ("6800000.00", "陆佰捌拾万元整"),
        ("-5.50", "负伍元伍角整"),
        ("1,234.00", "壹仟贰佰叁拾肆元整"),
        ("0.005", "壹分"),  # rounded half up to the fen
        (None, ""),
    ],
)
def test_money_in_words(amount: Any, words: str) -> None:
    assert money_in_words(amount) == words


@pytest.mark.parametrize("bad", ["abc", "1e20", True])
def test_money_in_words_refuses_what_is_no_amount(bad: Any) -> None:
    with pytest.raises(ValueError):
        money_in_words(bad)


LOCALE = PrintLocale(
    language="en",
    value=lambda f, v: str(v),
    moment=lambda v: v.strftime("%Y-%m-%d %H:%M"),
    user=lambda name: name.title(),
    translate=lambda v: v if isinstance(v, str) else v.get("en", ""),
    labels={"by": "By", "decision": "Decision", "at": "At", "approved": "Approved"},
)


@pytest.fixture
def people(session: Session) -> dict[str, Actor]:
    """The bundled pack (with its demo projects) and one user per role of the story."""
    import_pack(session, (ROOT / "modules" / "construction.json").read_text("utf-8"))
    roles = {"lin": "accountant", "wu": "accountant", "zhao": "viewer", "tian": "foreman"}
    return {name: make_user(session, name, role) for name, role in roles.items()}


@pytest.fixture
def payment(session: Session, people: dict[str, Actor]) -> str:
    """A payment submitted by one accountant and rejected by another."""
    project = list_records(session, "project", SYSTEM, ListQuery(per_page=1)).items[0].id
    data = {
        "project": project,
        "direction": "out",
        "category": "material",
        "counterparty": "Huaxin <Rebar>",
        "amount": "10020.30",
        "date": "2026-04-08",
        "bank_account": "6222 0210 0101 2345",
    }
    record = create_record(session, "fund", data, people["lin"]).id
    apply_transition(session, "fund", record, "submit", people["lin"])
    apply_transition(session, "fund", record, "reject", people["wu"], comment="No invoice")
    return record


def _print(session: Session, record: str, who: Actor, template: str | None = None) -> str:
    module = load_catalog(session).module("fund")
    if template is not None:
        sheet = {"id": "test", "title": "Test", "paper": "A4", "template": template}
        module = dataclasses.replace(module, prints=(sheet,))
    item = get_record(session, "fund", record, who)
    print_id = "voucher" if template is None else "test"
    return str(render_print(session, module, item, who, print_id, LOCALE).html)


def test_the_voucher_prints_capitals_and_signature_blocks(
    session: Session, people: dict[str, Actor], payment: str
) -> None:
    html = _print(session, payment, people["lin"])
    assert "壹万零贰拾元叁角整" in html and "Payment voucher" in html
    assert "Huaxin &lt;Rebar&gt;" in html  # autoescaped
    assert "6222 0210 0101 2345" in html
    assert html.count('class="signature"') == 2
    assert "Wu" in html and "No invoice" in html and "Lin" in html


def test_a_hidden_field_is_absent(session: Session, people: dict[str, Actor], payment: str) -> None:
    html = _print(
        session, payment, people["zhao"], "[{{ data.bank_account }}|{{ values.bank_account }}]"
    )
    assert html == "[|]"
    assert "6222" not in _print(session, payment, people["zhao"])


def test_a_reader_out_of_scope_gets_nothing(
    session: Session, people: dict[str, Actor], payment: str
) -> None:
    from engine.errors import PermissionDenied

    with pytest.raises((NotFound, PermissionDenied)):
        _print(session, payment, people["tian"])


def test_an_unknown_print_is_not_found(
    session: Session, people: dict[str, Actor], payment: str
) -> None:
    module = load_catalog(session).module("fund")
    item = get_record(session, "fund", payment, people["lin"])
    with pytest.raises(NotFound) as caught:
        render_print(session, module, item, people["lin"], "cheque", LOCALE)
    assert caught.value.problems[0].code == "unknown_print"


@pytest.mark.parametrize(
    ("template", "code"),
    [
        ("{{ ''.__class__ }}", "print_failed"),
        ("{{ record.__dict__ }}", "print_failed"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "print_failed"),
        ("{{ approvals.__globals__ }}", "print_failed"),
        ("{{ '%s' % 1 }}", "print_failed"),
        ("{{ money_in_words('lots') }}", "print_failed"),
        ("{{ 1 / 0 }}", "print_failed"),
        ("{% for i in range(10000000) %}{% endfor %}", "print_too_large"),
        (
            "{% for i in range(3000) %}{% for j in range(3000) %}{% endfor %}{% endfor %}",
            "print_too_large",
        ),
        ("{{ 'x' * 100000000 }}", "print_too_large"),
        ("{{ 10 ** 100000 }}", "print_too_large"),
        ("{% for i in range(90000) %}{{ 'abcdefghijklmnop' }}{% endfor %}", "print_too_large"),
        (
            "{% macro d(s, n) %}{{ d(s ~ s, n - 1) if n else s }}{% endmacro %}{{ d('ab', 40) }}",
            "print_too_large",
        ),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "print_failed"),
        ("{{ 'x'|center(1000000000) }}", "print_failed"),
        ("{% for %}", "print_failed"),
    ],
)
def test_a_hostile_template_is_refused_with_a_code(
    session: Session, people: dict[str, Actor], payment: str, template: str, code: str
) -> None:
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as caught:
        _print(session, payment, people["lin"], template)
    assert [p.code for p in caught.value.problems] == [code]
    assert time.monotonic() - started < 5
