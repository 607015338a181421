"""The calendar view: records on the day of their date, by month, week or list, within the
viewer's scope; moving a record to another day where the viewer may change its date."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.actor import SYSTEM
from engine.audit import record_history
from engine.db import transaction
from engine.packs import import_pack
from engine.records import get_record
from tests.web.helpers import (
    PASSWORD,
    ROOT,
    create_record,
    csrf_token,
    make_app,
    project_id,
    sign_in_as,
)

MAY = "/m/labour_tally/calendar/month/2026-05"
CELL = 'role="gridcell" data-date="'


def tally(app: Flask, worker: str, date: str, user: str = "foreman") -> str:
    data = {
        "project": project_id(app),
        "date": date,
        "worker": worker,
        "trade": "rebar",
        "items": [{"content": "tying", "hours": "4", "rate": "40"}],
    }
    return create_record(app, "labour_tally", user, data)


def send(client: FlaskClient, url: str, data: dict[str, str], **kwargs: Any) -> TestResponse:
    """POST a form with the CSRF token of the module's list page, as the browser does."""
    token = csrf_token(client, "/m/labour_tally")
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def cells(html: str) -> dict[str, str]:
    """Each day cell of the grid: date → its HTML."""
    grid = html.split('class="cal-grid', 1)[-1]
    return {chunk[:10]: chunk[10:] for chunk in grid.split(CELL)[1:]}


def record(app: Flask, record_id: str) -> object:
    with transaction(app.extensions["formwork"].session_factory) as session:
        return get_record(session, "labour_tally", record_id, SYSTEM)


def test_a_month_puts_each_record_on_its_day_from_the_locale_first_weekday(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally(app, "Zhao Six", "2026-05-04")
    tally(app, "Qian Seven", "2026-05-20")
    sign_in("accountant")
    page = client.get(MAY)
    assert page.status_code == 200
    assert "May 2026" in page.text
    days = cells(page.text)
    assert next(iter(days)) == "2026-04-27"  # the Monday before May 1 (a Friday), Babel's "en"
    assert list(days)[-1] == "2026-05-31" and len(days) == 35
    assert "Mon" in page.text.split('role="columnheader"')[1]
    assert "Zhao Six" in days["2026-05-04"] and "Qian Seven" not in days["2026-05-04"]
    assert "Qian Seven" in days["2026-05-20"]
    assert 'aria-current="page">Calendar<' in page.text  # the views tab beside the list
    send(client, "/language", {"language": "zh-CN"})
    chinese = client.get(MAY).text
    assert "2026年5月" in chinese
    assert next(iter(cells(chinese))) == "2026-04-27"  # zh-CN weeks start on Monday
    assert "周一" in chinese.split('role="columnheader"')[1]


def test_a_week_shows_its_seven_days_only(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally(app, "Zhao Six", "2026-05-04")
    tally(app, "Qian Seven", "2026-05-20")
    sign_in("accountant")
    page = client.get("/m/labour_tally/calendar/week/2026-05-06")
    days = cells(page.text)
    assert list(days) == [f"2026-05-{d:02}" for d in range(4, 11)]  # Monday to Sunday
    assert "Zhao Six" in days["2026-05-04"] and "Qian Seven" not in page.text
    listed = client.get("/m/labour_tally/calendar/list/2026-04").text  # the seed's April days
    assert listed.index('data-date="2026-04-08"') < listed.index('data-date="2026-04-10"')


def test_a_crowded_day_shows_three_and_links_the_rest_to_the_filtered_list(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    for n in range(5):
        tally(app, f"Worker {n}", "2026-05-12")
    sign_in("accountant")
    day = cells(client.get(MAY + "?filter[trade]=rebar").text)["2026-05-12"]
    assert day.count('<a class="cal-entry ') == 3
    assert "+2 more" in day
    link = re.search(r'class="cal-more" href="([^"]+)"', day)
    assert link is not None
    listed = client.get(link.group(1).replace("&amp;", "&"))
    assert "filter%5Btrade%5D=rebar" in link.group(1) or "filter[trade]=rebar" in link.group(1)
    assert "5 records" in listed.text


def test_filters_and_scope_narrow_the_calendar(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally(app, "Mine Only", "2026-05-04")
    tally(app, "Someone Else", "2026-05-05", user="admin")
    sign_in("foreman")  # reads only his own tallies
    page = client.get(MAY).text
    assert "Mine Only" in page and "Someone Else" not in page
    filtered = client.get(MAY + "?filter[trade]=carpentry").text
    assert "Mine Only" not in filtered
    assert 'name="filter[trade]"' in filtered  # the list's filter form, above the calendar


def test_moving_a_record_changes_its_date_with_history(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = tally(app, "Zhao Six", "2026-05-04")
    sign_in("foreman")
    page = client.get(MAY).text
    entry = re.search(rf'data-move="([^"]+)" data-version="(\d+)" data-id="{record_id}"', page)
    assert entry is not None  # the owner of a draft may drag it
    moved = send(client, entry.group(1), {"version": entry.group(2), "date": "2026-05-07"})
    assert moved.status_code == 303
    assert record(app, record_id).data["date"].isoformat() == "2026-05-07"  # type: ignore[attr-defined]
    with transaction(app.extensions["formwork"].session_factory) as session:
        last = record_history(session, "labour_tally", record_id)[-1]
        assert last.actor == "foreman" and last.changes[0]["field"] == "date"
    assert "Zhao Six" in cells(client.get(MAY).text)["2026-05-07"]
    stale = send(client, entry.group(1), {"version": entry.group(2), "date": "2026-05-08"})
    assert stale.status_code == 409  # the version the page read is gone


def test_a_refused_move_says_why_in_chinese_and_changes_nothing(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = tally(app, "Zhao Six", "2026-05-04")
    sign_in("foreman")
    send(client, "/language", {"language": "zh-CN"})
    url = f"/m/labour_tally/calendar/move/{record_id}"
    send(client, f"/m/labour_tally/r/{record_id}/t/submit", {"version": "1"})
    assert record(app, record_id).state == "submitted"  # type: ignore[attr-defined]
    assert f'data-id="{record_id}"' in client.get(MAY).text
    assert f'data-move="{url}"' not in client.get(MAY).text  # no longer draggable
    refused = send(
        client, url, {"version": "2", "date": "2026-05-07"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 409
    assert "只读状态" in refused.text  # the record is read-only while submitted
    other = app.test_client()
    assert sign_in_as(other, "accountant").status_code == 302  # reads every tally, changes none
    send(other, "/language", {"language": "zh-CN"})
    barred = send(
        other, url, {"version": "2", "date": "2026-05-07"}, headers={"HX-Request": "true"}
    )
    assert barred.status_code == 403
    assert "无权" in barred.text  # the role may not change tallies
    assert record(app, record_id).data["date"].isoformat() == "2026-05-04"  # type: ignore[attr-defined]


def test_a_bad_period_or_mode_is_a_clear_400(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    for bad in ("month/2026-13", "month/May", "week/2026-02-30", "year/2026"):
        page = client.get(f"/m/labour_tally/calendar/{bad}")
        assert page.status_code == 400, bad
        assert "2026-03" in page.text  # says what a good one looks like
    assert client.get("/m/project/calendar").status_code == 404  # declares no calendar


def test_a_role_that_cannot_see_the_date_is_told_the_calendar_cannot_show(
    database_url: str, tmp_path: Path
) -> None:
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    tallies = next(m for m in pack["modules"] if m["id"] == "labour_tally")
    tallies["permissions"]["viewer"]["fields"]["date"] = "hidden"
    pack["version"] = "9.0.0"
    app = make_app(database_url, tmp_path / "uploads")
    try:
        with transaction(app.extensions["formwork"].session_factory) as session:
            import_pack(session, json.dumps(pack))
        client = app.test_client()
        assert sign_in_as(client, "viewer", PASSWORD).status_code == 302
        page = client.get(MAY)
        assert "cannot be shown" in page.text and "Date" in page.text
        assert 'role="gridcell"' not in page.text
    finally:
        app.extensions["formwork"].engine.dispose()


def test_the_filter_form_swaps_only_the_calendar(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally(app, "Zhao Six", "2026-05-04")
    sign_in("accountant")
    headers = {"HX-Request": "true", "HX-Target": "calendar-body"}
    part = client.get(MAY + "?filter[trade]=rebar", headers=headers)
    assert part.status_code == 200
    assert "<html" not in part.text and "Zhao Six" in cells(part.text)["2026-05-04"]
    assert "filter%5Btrade%5D=rebar" in part.text  # previous / next keep the filters
    bad = client.get(MAY + "?filter[date][gte]=someday", headers=headers)
    assert bad.status_code == 422 and 'role="alert"' in bad.text
