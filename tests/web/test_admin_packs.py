"""The packs pages of the admin console: the list, importing through a reviewed dry run,
refusals shown on the lines of the sent JSON, export, and nothing of it for anyone else."""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.models import AdminEvent, InstalledPack, PackVersion
from engine.packs import export_text
from tests.bundled import CURRENT, LATER, NEXT
from tests.web.helpers import ROOT, Api, csrf_token, post

SignIn = Callable[[str], FlaskClient]
CONSTRUCTION = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
ZH = {"Accept-Language": "zh-CN"}


def pack(version: str = NEXT) -> dict[str, Any]:
    raw = copy.deepcopy(CONSTRUCTION)
    raw["version"] = version
    return raw


def labour(raw: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in raw["modules"] if m["id"] == "labour_tally")


def upgrade() -> dict[str, Any]:
    """The bundled pack with a new field and a changed label."""
    raw = pack()
    props = labour(raw)["schema"]["properties"]
    props["overtime_note"] = {"type": "string", "title": {"en": "Overtime", "zh-CN": "加班说明"}}
    props["crew"]["title"] = {"en": "Gang", "zh-CN": "作业班组"}
    return raw


def db(app: Flask) -> Any:
    return transaction(app.extensions["formwork"].session_factory)


def installed_version(app: Flask) -> str:
    with db(app) as session:
        return session.get(InstalledPack, "construction").version  # type: ignore[union-attr]


def upload(client: FlaskClient, raw: dict[str, Any] | str, **kwargs: Any) -> Any:
    body = raw if isinstance(raw, str) else json.dumps(raw, indent=2, ensure_ascii=False)
    data = {
        "csrf_token": csrf_token(client, "/admin/packs/import"),
        "pack_file": (io.BytesIO(body.encode("utf-8")), "construction.json"),
    }
    return client.post("/admin/packs/import", data=data, **kwargs)


def confirm_form(page: str) -> dict[str, str]:
    form = page[page.index('class="confirm-import"') :]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    return {k: _unescape(v) for k, v in fields.items()}


def _unescape(value: str) -> str:
    for entity, char in (("&#34;", '"'), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">")):
        value = value.replace(entity, char)
    return value.replace("&amp;", "&")


def imports(session: Session) -> int:
    """Pack imports in the admin trail by a user (the test's setup imports from the CLI)."""
    pack_imports = select(func.count()).where(
        AdminEvent.action == "pack.import", AdminEvent.actor.is_not(None)
    )
    return session.scalar(pack_imports.select_from(AdminEvent)) or 0


def count(session: Session, sql: str) -> int:
    return int(session.execute(text(sql)).scalar_one())


def test_the_list_shows_each_pack_with_its_modules_and_records(app: Flask, sign_in: SignIn) -> None:
    client = sign_in("admin")
    page = client.get("/admin/packs/")
    assert page.status_code == 200
    with db(app) as session:
        tallies = count(session, "select count(*) from m_labour_tally")
    assert tallies > 0
    row = page.text[page.text.index('id="pack-construction"') :]
    assert CURRENT in row and "command line" in row  # installed by the test's setup, no user
    assert f'data-module="labour_tally">{tallies} records<' in row
    assert 'href="/admin/packs/construction/export"' in row
    zh = client.get("/admin/packs/", headers=ZH).text
    assert "导入模块包" in zh and f"{tallies} 条记录" in zh


def test_an_upload_is_reviewed_first_then_imported_by_the_admin(
    app: Flask, sign_in: SignIn
) -> None:
    client = sign_in("admin")
    review = upload(client, upgrade())
    assert review.status_code == 200
    page = review.text
    assert f"would be upgraded from {CURRENT} to {NEXT}" in page
    assert "labour_tally.overtime_note" in page and "labour_tally.crew" in page
    assert "add column m_labour_tally.overtime_note" in page
    assert installed_version(app) == CURRENT  # a dry run writes nothing
    with db(app) as session:
        assert imports(session) == 0

    forged = {k: v for k, v in confirm_form(page).items() if k != "csrf_token"}
    assert client.post("/admin/packs/import/confirm", data=forged).status_code == 400
    assert installed_version(app) == CURRENT
    done = post(client, "/admin/packs/import/confirm", confirm_form(page))
    assert done.status_code == 302 and done.location.endswith("/admin/packs/")
    assert f"upgraded from {CURRENT} to {NEXT}" in client.get("/admin/packs/").text
    assert installed_version(app) == NEXT
    with db(app) as session:
        version = session.get(PackVersion, ("construction", NEXT))
        assert version is not None and version.installed_by == "admin"
        events = select(AdminEvent).where(AdminEvent.action == "pack.import")
        (setup, event) = session.scalars(events.order_by(AdminEvent.id))
        assert setup.actor is None  # the command line
        assert (event.actor, event.target) == ("admin", "pack construction")
        assert event.before == {"version": CURRENT} and event.after["version"] == NEXT
        count(session, "select count(overtime_note) from m_labour_tally")  # the column exists
    listed = client.get("/admin/packs/").text
    row = listed[listed.index('id="pack-construction"') :]
    assert NEXT in row and "admin" in row

    twice = post(client, "/admin/packs/import/confirm", confirm_form(page), follow_redirects=True)
    assert "already installed: nothing to do" in twice.text  # a second click of Confirm
    again = upload(client, upgrade())
    assert again.status_code == 200 and "already installed: nothing to do" in again.text
    assert 'class="confirm-import"' not in again.text


def test_pasted_json_and_the_review_in_chinese(app: Flask, sign_in: SignIn) -> None:
    client = sign_in("admin")
    body = json.dumps(upgrade(), ensure_ascii=False)
    review = post(client, "/admin/packs/import", {"pack_text": body}, headers=ZH)
    assert review.status_code == 200
    assert "确认导入" in review.text and "新增" in review.text and "字段" in review.text
    assert installed_version(app) == CURRENT


def readable_upgrade() -> dict[str, Any]:
    """A new decimal field, a relabelled and a longer one, a new choice, state and transition."""
    raw = pack()
    module = labour(raw)
    props = module["schema"]["properties"]
    props["overtime_hours"] = {
        "type": "number",
        "x-scale": 2,
        "title": {"en": "Overtime hours", "zh-CN": "加班工时"},
    }
    props["crew"].update(title={"en": "Gang", "zh-CN": "作业班组"}, maxLength=60)
    props["trade"]["enum"].append("glazing")
    props["trade"]["x-enum-titles"]["glazing"] = {"en": "Glazier", "zh-CN": "玻璃工"}
    props["trade"]["x-enum-titles"]["welding"] = {"en": "Welder (certified)", "zh-CN": "持证电焊工"}
    module["workflow"]["states"]["archived"] = {
        "title": {"en": "Archived", "zh-CN": "已归档"},
        "final": True,
    }
    module["workflow"]["transitions"].append(
        {"id": "archive", "from": "rejected", "to": "archived", "roles": ["site_manager"]}
    )
    return raw


def change_cell(page: str, key: str) -> str:
    """The words of one row of the review's change table, tags and spacing removed."""
    row = page[page.index(f'data-key="{key}">') :]
    row = row[row.index(">") + 1 : row.index("</tr>")]
    return " ".join(re.sub(r"<[^>]+>", " ", row.replace(".<wbr>", ".")).split())


def test_the_review_says_each_change_in_words(app: Flask, sign_in: SignIn) -> None:
    client = sign_in("admin")
    page = upload(client, readable_upgrade()).text
    added = change_cell(page, "labour_tally.overtime_hours")
    assert added == "labour_tally.overtime_hours Overtime hours added decimal number, scale 2"
    assert change_cell(page, "labour_tally.crew") == (
        "labour_tally.crew Gang changed label Crew → Gang max length 40 → 60"
    )
    assert change_cell(page, "labour_tally.trade").endswith(
        "changed choices + Glazier choice label Welder → Welder (certified)"
    )
    assert change_cell(page, "labour_tally.archived").endswith("Archived added final")
    assert change_cell(page, "labour_tally.archive").endswith(
        "added from rejected to archived roles site_manager"
    )
    table = page[page.index('class="data pack-diff') : page.index("</table>")]
    assert "&#34;" not in table and "{" not in table  # no raw JSON left in the changes

    zh = upload(client, readable_upgrade(), headers=ZH).text
    assert change_cell(zh, "labour_tally.overtime_hours").endswith("加班工时 新增 小数、小数位 2")
    assert change_cell(zh, "labour_tally.crew").endswith(
        "作业班组 修改 标签 班组 → 作业班组 最大长度 40 → 60"
    )
    assert change_cell(zh, "labour_tally.trade").endswith(
        "选项 + 玻璃工 选项名称 电焊工 → 持证电焊工"
    )
    assert change_cell(zh, "labour_tally.archived").endswith("已归档 新增 终结")
    assert change_cell(zh, "labour_tally.archive").endswith(
        "从 rejected 到 archived 角色 site_manager"
    )
    assert installed_version(app) == CURRENT


def test_a_long_change_is_shortened_and_unfolds_to_its_whole_text(
    app: Flask, sign_in: SignIn
) -> None:
    raw = pack()
    long_title = ("Casual labour recorded day by day on site, " * 4).strip()
    labour(raw)["schema"]["properties"]["notes"]["title"] = {"en": long_title, "zh-CN": "备注"}
    page = upload(sign_in("admin"), raw).text
    cell = page[page.index('data-key="labour_tally.notes"') :]
    cell = cell[: cell.index("</tr>")]
    summary = re.search(r"<summary>([^<]*)</summary><p>([^<]*)</p>", cell)
    assert summary is not None
    assert summary.group(1).startswith("label Notes → Casual labour")
    assert summary.group(1).endswith("…") and len(summary.group(1)) <= 70
    assert summary.group(2) == f"label Notes → {long_title}"  # the whole line, unfolded
    assert installed_version(app) == CURRENT


def test_a_state_mapped_upgrade_links_the_records_it_moves(app: Flask, sign_in: SignIn) -> None:
    with db(app) as session:
        session.execute(text("update m_labour_tally set state = 'rejected'"))
        ids = [r[0] for r in session.execute(text("select id from m_labour_tally"))]
    raw = pack()
    workflow = labour(raw)["workflow"]
    del workflow["states"]["rejected"]
    workflow["transitions"] = [t for t in workflow["transitions"] if t["id"] != "reject"]
    workflow["transitions"][0]["from"] = "draft"
    labour(raw)["migrate"] = {"states": {"rejected": "draft"}}
    client = sign_in("admin")
    review = upload(client, raw)
    assert review.status_code == 200
    for record_id in ids:
        assert f'href="/m/labour_tally/r/{record_id}"' in review.text
    assert f"{len(ids)} records" in review.text
    post(client, "/admin/packs/import/confirm", confirm_form(review.text))
    with db(app) as session:
        assert count(session, "select count(*) from m_labour_tally where state = 'draft'") == len(
            ids
        )


def line_of(body: str, needle: str) -> int:
    return next(n for n, line in enumerate(body.split("\n"), 1) if needle in line)


def refusal_line(page: str, line: int) -> str:
    """The line's block on the refusal page: the line and the notes under it."""
    start = page.index(f'id="L{line}"')
    end = page.index(f'id="L{line + 1}"')
    return page[start:end]


@pytest.mark.parametrize(
    ("change", "needle", "code", "pointer"),
    [
        (
            lambda p: labour(p)["schema"]["properties"].update(bonus={"type": "thing"}),
            '"thing"',
            "schema",
            "/modules/2/schema/properties/bonus/type",
        ),
        (
            lambda p: labour(p)["workflow"]["transitions"][0].update(to="archived"),
            '"archived"',
            "unknown_state",
            "/modules/2/workflow/transitions/0/to",
        ),
    ],
)
def test_a_refused_pack_shows_each_problem_beside_its_line(
    app: Flask, sign_in: SignIn, change: Any, needle: str, code: str, pointer: str
) -> None:
    raw = pack()
    change(raw)
    body = json.dumps(raw, indent=2, ensure_ascii=False)
    line = line_of(body, needle)
    page = upload(sign_in("admin"), body)
    assert page.status_code == 422
    assert f'<a href="#L{line}">line {line}</a>' in page.text
    block = refusal_line(page.text, line)
    assert f"<code>{code}</code>" in block and f"<code>{pointer}</code>" in block
    assert installed_version(app) == CURRENT


def test_text_that_is_not_json_shows_where_it_breaks(app: Flask, sign_in: SignIn) -> None:
    body = json.dumps(upgrade(), indent=2).replace(f'"version": "{NEXT}",', f'"version": {NEXT},')
    line = line_of(body, f'"version": {NEXT}')
    client = sign_in("admin")
    page = upload(client, body)
    assert page.status_code == 422
    assert "<code>not_json</code>" in refusal_line(page.text, line)
    zh = upload(client, body, headers=ZH)
    assert zh.status_code == 422 and "该模块包无法导入" in zh.text and "第 " in zh.text
    empty = post(client, "/admin/packs/import", {"pack_text": "  "})
    assert empty.status_code == 422
    data = {
        "csrf_token": csrf_token(client, "/admin/packs/import"),
        "pack_file": (io.BytesIO(b'{"id": "\xff"}'), "latin1.json"),
    }
    not_utf8 = client.post("/admin/packs/import", data=data)
    assert not_utf8.status_code == 422 and "<code>not_utf8</code>" in not_utf8.text
    assert installed_version(app) == CURRENT


def test_a_breaking_upgrade_is_refused_with_the_record_count(app: Flask, sign_in: SignIn) -> None:
    raw = pack()
    module = labour(raw)
    del module["schema"]["properties"]["crew"]
    module["ui"]["layout"][0]["fields"].remove("crew")
    for seeded in raw["seed"]["labour_tally"]:
        seeded.pop("crew", None)
    with db(app) as session:
        crews = count(session, "select count(crew) from m_labour_tally")
    assert crews > 0
    page = upload(sign_in("admin"), raw)
    assert page.status_code == 409
    assert "field_removed_with_values" in page.text and f"{crews} records" in page.text
    assert installed_version(app) == CURRENT
    with db(app) as session:
        assert count(session, "select count(crew) from m_labour_tally") == crews


def test_a_confirmation_after_the_pack_changed_is_refused(app: Flask, sign_in: SignIn) -> None:
    client = sign_in("admin")
    newest = upgrade()
    newest["version"] = LATER
    form = confirm_form(upload(client, newest).text)  # reviewed as CURRENT → LATER
    post(client, "/admin/packs/import/confirm", confirm_form(upload(client, upgrade()).text))
    assert installed_version(app) == NEXT
    stale = post(client, "/admin/packs/import/confirm", form)
    assert stale.status_code == 409 and "changed since your review" in stale.text
    assert installed_version(app) == NEXT


def test_export_is_the_installed_definition_as_the_command_line_writes_it(
    app: Flask, sign_in: SignIn
) -> None:
    response = sign_in("admin").get("/admin/packs/construction/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="construction-{CURRENT}.json"'
    )
    assert json.loads(response.data) == CONSTRUCTION
    with db(app) as session:
        assert response.data == export_text(session, "construction").encode("utf-8")
    assert sign_in("admin").get("/admin/packs/nothing/export").status_code == 404


ROUTES = [
    ("get", "/admin/packs/"),
    ("get", "/admin/packs/import"),
    ("post", "/admin/packs/import"),
    ("post", "/admin/packs/import/confirm"),
    ("get", "/admin/packs/construction/export"),
]


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_only_admins_reach_the_pack_pages(
    app: Flask, client: FlaskClient, sign_in: SignIn, method: str, url: str
) -> None:
    body = {"pack_text": json.dumps(upgrade()), "installed": CURRENT}
    anonymous = client.get(url) if method == "get" else post(client, url, body)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.location
    foreman = sign_in("foreman")
    refused = foreman.get(url) if method == "get" else post(foreman, url, body)
    assert refused.status_code == 403
    assert "pack-construction" not in refused.text and "Import a pack" not in refused.text
    assert installed_version(app) == CURRENT


def test_the_api_and_the_pages_leave_the_importer_in_the_trail(api: Api) -> None:
    answer = api.call("POST", "/packs", json=upgrade(), as_="admin")
    assert answer.status_code == 201
    with transaction(api.session_factory) as session:
        events = select(AdminEvent).where(AdminEvent.action == "pack.import")
        assert [e.actor for e in session.scalars(events.order_by(AdminEvent.id))] == [None, "admin"]
        assert session.get(PackVersion, ("construction", NEXT)).installed_by == "admin"  # type: ignore[union-attr]
    assert "diff" in answer.json and answer.json["previous_version"] == CURRENT  # type: ignore[index]


def test_a_pack_larger_than_other_forms_may_be_pasted_and_confirmed(
    app: Flask, sign_in: SignIn
) -> None:
    client = sign_in("admin")
    body = json.dumps(upgrade()) + " " * 3_000_000  # past the 2 MB of other page forms
    review = post(client, "/admin/packs/import", {"pack_text": body})
    assert review.status_code == 200 and "Confirm import" in review.text
    done = post(client, "/admin/packs/import/confirm", confirm_form(review.text))
    assert done.status_code == 302 and installed_version(app) == NEXT
    too_large = post(client, "/admin/packs/import", {"pack_text": body + " " * 8_000_000})
    assert too_large.status_code == 413
