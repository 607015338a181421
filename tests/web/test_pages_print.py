"""The print page: a payment's voucher on A5 paper, in English and Chinese, as the reader may see it.

An accountant records a payment and submits it; a site manager sends it back with a reason.
The voucher shows the amount in Chinese capitals, the project's title, and both steps as
signature blocks with names and times. A viewer (bank account hidden) reads no account; a
foreman, who may not read payments, gets no voucher; an unknown print is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from engine.workflow import apply_transition
from tests.web.helpers import create_record, project_id


def _payment(app: Flask) -> str:
    data: dict[str, Any] = {
        "project": project_id(app),
        "direction": "out",
        "category": "material",
        "counterparty": "Huaxin Rebar Co.",
        "amount": "10020.30",
        "date": "2026-04-08",
        "bank_account": "6222 0210 0101 2345",
        "summary": "Rebar <b>delivery</b> 3",
    }
    record = create_record(app, "fund", "accountant", data)
    with transaction(app.extensions["formwork"].session_factory) as session:
        for user, step, comment in (
            ("accountant", "submit", None),
            ("manager", "reject", "Invoice missing"),
        ):
            who = accounts.actor_of(accounts.get_user(session, user))
            apply_transition(session, "fund", record, step, who, comment=comment)
    return record


def test_the_voucher_shows_the_amount_in_capitals_and_the_signatures(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record = _payment(app)
    sign_in("accountant")
    page = client.get(f"/m/fund/r/{record}")
    url = f"/m/fund/r/{record}/print/voucher"
    assert f'href="{url}"' in page.text and ">Print<" in page.text
    sheet = client.get(url)
    assert sheet.status_code == 200
    html = sheet.text
    assert "Payment voucher" in html and "paper-a5" in html
    assert "壹万零贰拾元叁角整" in html
    assert "Huaxin Rebar Co." in html and "6222 0210 0101 2345" in html
    assert "Rebar &lt;b&gt;delivery&lt;/b&gt; 3" in html  # data is escaped
    assert html.count('class="signature"') == 2
    assert "Site manager" in html and "Invoice missing" in html and "Accountant" in html
    assert "data-print-page" in html and "js/print.js" in html
    assert f'href="/m/fund/r/{record}"' in html  # back to the record


def test_the_voucher_in_chinese(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record = _payment(app)
    sign_in("accountant")
    client.post("/language", data={"language": "zh-CN"})
    sheet = client.get(f"/m/fund/r/{record}/print/voucher", headers={"Accept-Language": "zh-CN"})
    assert sheet.status_code == 200
    assert "付款凭证" in sheet.text and "金额（大写）" in sheet.text and "驳回" in sheet.text
    assert "Payment voucher" not in sheet.text


def test_hidden_fields_are_absent_and_unreadable_records_refused(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record = _payment(app)
    url = f"/m/fund/r/{record}/print/voucher"
    sign_in("viewer")
    sheet = client.get(url)
    assert sheet.status_code == 200
    assert "6222 0210 0101 2345" not in sheet.text and "壹万零贰拾元叁角整" in sheet.text
    assert client.get(f"/m/fund/r/{record}/print/nothing").status_code == 404
    client.post("/sign-out")
    sign_in("foreman")
    assert client.get(url).status_code in (403, 404)
    assert client.get(f"/m/fund/r/{record}").status_code in (403, 404)


def test_a_cost_sheet_lists_its_lines_under_a_repeated_header(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    lines = [
        {"item": f"Rebar lot {n}", "unit": "t", "qty": "2", "unit_price": "4000.00"}
        for n in range(1, 41)
    ]
    data = {
        "project": project_id(app),
        "category": "materials",
        "period": "2026-04",
        "subject": "Rebar for level 3",
        "lines": lines,
    }
    record = create_record(app, "cost_centre", "accountant", data)
    sign_in("accountant")
    sheet = client.get(f"/m/cost_centre/r/{record}/print/cost_sheet")
    assert sheet.status_code == 200
    html = sheet.text
    assert "paper-a4" in html and "<thead>" in html and html.count("Rebar lot ") == 40
    assert "320,000.00" in html and "叁拾贰万元整" in html


def test_the_voucher_downloads_as_a_pdf(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record = _payment(app)
    sign_in("accountant")
    url = f"/m/fund/r/{record}/print/voucher/pdf"
    assert f'href="{url}"' in client.get(f"/m/fund/r/{record}/print/voucher").text
    answer = client.get(url)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF-")
    assert "attachment" in answer.headers["Content-Disposition"]
    client.post("/sign-out")
    sign_in("foreman")
    assert client.get(url).status_code in (403, 404)
