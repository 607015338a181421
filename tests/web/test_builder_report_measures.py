"""A report whose measures are running totals or compare periods keeps them through the
builder: the form shows each measure's expression, and saving it back changes nothing."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.db import transaction
from engine.models import BuilderDraft
from tests.web.helpers import post
from tests.web.test_admin_builder_reports import labour_draft, pack_json

SignIn = Callable[[str], FlaskClient]
REPORT = "labour_by_worker_month"
OVER_TIME = {
    "group_by": ["month(date)", "worker"],
    "measures": {
        "days": "count()",
        "hours": {"value": "sum(hours)", "compare": "previous"},
        "amount": {"value": "sum(amount)", "cumulative": True},
    },
}


def write_draft_report(client: FlaskClient, url: str, changes: dict[str, Any]) -> None:
    """As another admin's earlier save (or an imported pack) left the draft's report."""
    app = client.application
    with transaction(app.extensions["formwork"].session_factory) as session:
        draft = session.scalars(
            select(BuilderDraft).where(BuilderDraft.id == url.rsplit("/", 1)[1])
        ).one()
        pack = dict(draft.definition)
        pack["reports"] = [r | changes if r["id"] == REPORT else r for r in pack["reports"]]
        draft.definition = pack


def test_running_totals_and_comparisons_survive_a_save_in_the_builder(sign_in: SignIn):
    client = sign_in("admin")
    url = labour_draft(client)
    write_draft_report(client, url, OVER_TIME)
    page = html.unescape(client.get(f"{url}/reports", query_string={"report": REPORT}).text)
    assert 'value="sum(hours)"' in page and 'value="sum(amount)"' in page
    assert "'cumulative'" not in page and "compare" not in page.split('name="measure')[1][:200]
    before = next(r for r in pack_json(client, url)["reports"] if r["id"] == REPORT)
    form = {
        "title_en": before["title"]["en"],
        "title_zh": before["title"]["zh-CN"],
        "where": before["where"],
        "group_key": ["a", "b"],
        "group.a": "month(date)",
        "group.b": "worker",
        "measure_key": ["c", "d", "e"],
        "measure_name.c": "days",
        "measure.c": "count()",
        "measure_name.d": "hours",
        "measure.d": "sum(hours)",
        "measure_name.e": "amount",
        "measure.e": "sum(amount)",
        "chart_type": "bar",
        "chart_x": "month(date)",
        "chart_y": "amount",
        "chart_series": "worker",
    }
    saved = post(client, f"{url}/reports/{REPORT}", form)
    assert saved.status_code == 303, saved.text[:500]
    after = next(r for r in pack_json(client, url)["reports"] if r["id"] == REPORT)
    assert after == before
    assert after["measures"]["amount"] == {"value": "sum(amount)", "cumulative": True}
