"""Importing cost centres from the list page: upload, preview, a corrected mapping, import.

The accountant uploads a spreadsheet whose first record has two cost lines on two rows and
whose second record has a wrong period. The preview (a background job, run here by calling
the worker's `run_next`) lists the problem at its row and column in the reader's language
and the first record with its lines; the accountant maps an unknown column to the supplier,
imports the valid rows, and downloads the rejected one with its reason.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine import accounts
from engine.attachments import LocalFolder
from engine.db import transaction
from engine.imports.jobs import run_next
from tests.web.helpers import PASSWORD, csrf_token, post

CSV = (
    "编号,所属项目,成本科目,期间（年-月）,摘要,Vendor,名称,数量,单价\n"
    "1,PRJ-2026-001,材料费,2026-03,钢筋采购,首钢,HRB400 钢筋,10,4200\n"
    ",,,,,,C30 混凝土,20,450\n"
    "2,PRJ-2026-001,机械费,2026-13,吊车租赁,,汽车吊,1,3000\n"
)
JOB = re.compile(r"/m/cost_centre/imports/(\d+)")


def work(app: Flask) -> int | None:
    """What `formwork serve`'s worker thread does: run the next queued job."""
    store = LocalFolder(Path(app.config["FORMWORK_UPLOADS"]))
    return run_next(app.extensions["formwork"].session_factory, store, worker="test")


def upload(client: FlaskClient, data: bytes, name: str = "costs.csv", **form: str) -> TestResponse:
    body = {"csrf_token": csrf_token(client), "file": (io.BytesIO(data), name), **form}
    return client.post("/m/cost_centre/import", data=body, content_type="multipart/form-data")


def found(pattern: str, page: str) -> str:
    """The first group of `pattern` in the page (the test fails when it is not there)."""
    match = re.search(pattern, page, re.S)
    assert match, pattern
    return match.group(1)


def job_url(response: TestResponse) -> str:
    assert response.status_code == 303, response.text
    match = JOB.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return response.headers["Location"]


def mapping_form(page: str, **changes: str) -> dict[str, str]:
    """The mapping form as the page filled it, with `changes` (header → field) applied."""
    form: dict[str, str] = {}
    headers = dict(re.findall(r'name="column-(\d+)" value="([^"]*)"', page))
    for index, header in headers.items():
        shown = re.search(rf'name="shown-{index}" value="([^"]*)"', page)
        form[f"column-{index}"] = header
        form[f"shown-{index}"] = shown.group(1) if shown else ""
        form[f"target-{index}"] = changes.get(header, form[f"shown-{index}"])
    return form


def test_preview_correct_the_mapping_and_import_the_valid_rows(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    client = sign_in("accountant")
    assert 'href="/m/cost_centre/import"' in client.get("/m/cost_centre").text
    url = job_url(upload(client, CSV.encode("gbk")))
    waiting = client.get(url)
    assert 'hx-trigger="every 1s"' in waiting.text and "Waiting to start" in waiting.text
    assert work(app) is not None
    page = client.get(url).text
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops asking
    assert "GB18030" in page
    problem = r'<td>—</td><td class="num">4</td><td>期间（年-月）</td><td>([^<]+)</td>'
    assert found(problem, page) == "This value does not have the expected form."
    assert "<strong>1</strong> to create" in page and "<strong>1</strong> rejected" in page
    assert "HRB400 钢筋" in page and "C30 混凝土" in page  # the lines under their record
    assert 'value="$number" selected' in page  # the number column gathers a record's rows
    chinese = client.get(url, headers={"Accept-Language": "zh-CN"}).text
    assert found(problem, chinese) == "格式不正确。" and "待创建" in chinese

    form = {"csrf_token": csrf_token(client), "mode": "valid", "key": ""}
    form |= mapping_form(page, Vendor="supplier")
    again = client.post(url.split("?")[0] + "/preview", data=form)
    second = job_url(again)
    assert "mode=valid" in second
    work(app)
    page = client.get(second).text
    assert re.search(r'name="target-5"[^>]*>.*?<option value="supplier" selected', page, re.S)
    assert "首钢" in page  # the supplier, as it would be stored

    form["csrf_token"] = csrf_token(client)
    done_url = job_url(client.post(second.split("?")[0] + "/apply", data=form))
    work(app)
    done = client.get(done_url).text
    assert "<strong>1</strong> created" in done and "<strong>1</strong> rejected" in done
    with client.get(found(r'href="([^"]+/rejected)"', done)) as rejected:
        assert rejected.status_code == 200
        text = rejected.data.decode("utf-8-sig")
    assert "2026-13" in text and "error" in text.splitlines()[0]
    assert "钢筋采购" in client.get("/m/cost_centre?q=钢筋采购").text
    history = client.get("/m/cost_centre/imports").text
    assert history.count("costs.csv") == 3 and "Finished" in history


def test_an_unreadable_file_says_so_and_a_large_one_is_not_kept(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    client = sign_in("accountant")
    url = job_url(upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "photo.csv"))
    work(app)
    page = client.get(url, headers={"Accept-Language": "zh-CN"}).text
    assert 'id="import-error"' in page and "XLSX" in page
    app.config["FORMWORK_IMPORT_MAX_BYTES"] = 1000
    uploads = Path(app.config["FORMWORK_UPLOADS"])
    before = sorted(p for p in uploads.rglob("*") if p.is_file())
    refused = upload(client, CSV.encode("utf-8") * 20)
    assert refused.status_code == 413
    assert "more than the 1000 bytes" in refused.text
    assert sorted(p for p in uploads.rglob("*") if p.is_file()) == before
    assert work(app) is None  # no job was queued


def test_roles_without_import_and_other_peoples_jobs(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    url = job_url(upload(client, CSV.encode("utf-8"))).split("?")[0]
    post(client, "/sign-out")
    sign_in("planner")  # reads cost centres, may not import them
    assert 'href="/m/cost_centre/import"' not in client.get("/m/cost_centre").text
    for address in (
        "/m/cost_centre/import",
        "/m/cost_centre/imports",
        "/m/cost_centre/import/template.csv",
        url,
    ):
        assert client.get(address).status_code == 403, address
    assert upload(client, CSV.encode("utf-8")).status_code == 403
    assert post(client, url + "/cancel").status_code == 403
    post(client, "/sign-out")
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.create_user(session, "accountant2", PASSWORD, roles=["accountant"])
    sign_in("accountant2")  # may import too, but the job is another's: it does not exist
    assert client.get(url).status_code == 404
    assert post(client, url + "/cancel").status_code == 404
    assert "costs.csv" not in client.get("/m/cost_centre/imports").text
    post(client, "/sign-out")
    sign_in("admin")  # an administrator sees every job, and may cancel it
    assert client.get(url).status_code == 200
    assert post(client, url + "/cancel").status_code == 303
    assert "Cancelled" in client.get(url).text


def test_the_template_names_the_columns_one_may_fill(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    client = sign_in("accountant")
    english = client.get("/m/cost_centre/import/template.csv").data.decode("utf-8-sig")
    header = english.splitlines()[0].split(",")
    assert "Project" in header and "lines.qty" in header
    assert "Actual total" not in header and "lines.amount" not in header  # computed
    chinese = client.get(
        "/m/cost_centre/import/template.xlsx", headers={"Accept-Language": "zh-CN"}
    )
    assert chinese.status_code == 200 and chinese.data[:2] == b"PK"


def test_more_problems_than_listed_are_counted_whole(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    """250 rows with a month that does not exist: the page counts all 250 and says it lists
    only the first ones."""
    client = sign_in("accountant")
    rows = "".join(f"{n},PRJ-2026-001,机械费,2026-13,吊车,,汽车吊,1,3000\n" for n in range(250))
    url = job_url(upload(client, (CSV.splitlines()[0] + "\n" + rows).encode("utf-8")))
    work(app)
    page = client.get(url).text
    assert "250 problems" in page
    assert found(r'id="import-problems-shown">([^<]+)<', page) == ("Only the first 200 are listed.")
    assert page.count('<td class="num">') >= 200
