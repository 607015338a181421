"""Importing a workbook whose child rows sit on a sheet of their own, and following a job.

The cost lines of each cost centre are on the sheet named like the child table (成本明细),
joined to their record by the number column: the preview names that sheet with its columns
and shows each record's lines under it. A running job shows a progress bar of rows done out
of the total, and the page keeps asking for it until it ends.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import update

from engine.db import transaction
from engine.models_imports import ImportJob
from tests.web.helpers import csrf_token
from tests.web.test_import_page import found, job_url, mapping_form, work


def workbook(price: str = "单价") -> bytes:
    book = Workbook()
    main = book.active
    assert main is not None
    main.title = "成本中心"
    main.append(["编号", "所属项目", "成本科目", "期间（年-月）", "摘要"])
    main.append([1, "PRJ-2026-001", "材料费", "2026-03", "钢筋采购"])
    main.append([2, "PRJ-2026-001", "机械费", "2026-04", "吊车租赁"])
    lines = book.create_sheet("成本明细")
    lines.append(["编号", "名称", "数量", price])
    lines.append([1, "HRB400 钢筋", 10, 4200])
    lines.append([1, "C30 混凝土", 20, 450])
    lines.append([2, "汽车吊", 1, 3000])
    lines.append([9, "无主明细", 1, 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_child_rows_on_a_sheet_of_their_own(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    client = sign_in("accountant")
    form = {"csrf_token": csrf_token(client), "file": (io.BytesIO(workbook()), "costs.xlsx")}
    url = job_url(client.post("/m/cost_centre/import", data=form))
    work(app)
    page = client.get(url, headers={"Accept-Language": "zh-CN"}).text
    assert "工作表 成本明细（明细行）" in page
    sheet = found(r'(<table class="data import-columns import-child-sheet".*?</table>)', page)
    assert re.search(
        r'<label for="target-\d+">数量</label>.*?value="lines.qty" selected', sheet, re.S
    )
    lines = re.findall(r'<table class="data import-child-rows".*?</table>', page, re.S)
    assert len(lines) == 2
    assert "HRB400 钢筋" in lines[0] and "C30 混凝土" in lines[0] and "汽车吊" in lines[1]
    orphan = re.search(r"<tr><td>成本明细</td><td class=\"num\">5</td>", page)
    assert orphan, "the line of no record is a problem at its sheet and row"


def test_a_running_job_shows_its_progress_until_it_ends(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    client = sign_in("accountant")
    form = {"csrf_token": csrf_token(client), "file": (io.BytesIO(workbook()), "costs.xlsx")}
    url = job_url(client.post("/m/cost_centre/import", data=form))
    job_id = int(url.split("/imports/")[1].split("?")[0])
    with transaction(app.extensions["formwork"].session_factory) as session:
        session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(status="running", total=80, done=30)
        )
    fragment = client.get(url, headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="import-job"')
    assert '<progress id="import-progress" value="30" max="80">' in fragment
    assert "30 of 80 rows" in fragment and 'hx-trigger="every 1s"' in fragment
    assert "<html" not in fragment  # htmx gets the part of the page it swaps
    assert 'id="import-cancel"' in fragment


def test_a_column_of_a_child_sheet_is_mapped_on_the_page(
    app: Flask, sign_in: Callable[[str], FlaskClient]
) -> None:
    """A child sheet's column the engine does not recognise (价格 for the unit price) is
    offered unmapped; choosing its field and previewing again reads it into every line."""
    client = sign_in("accountant")
    data = workbook(price="价格")
    form = {"csrf_token": csrf_token(client), "file": (io.BytesIO(data), "costs.xlsx")}
    url = job_url(client.post("/m/cost_centre/import", data=form))
    work(app)
    page = client.get(url).text
    key = "成本明细!价格"
    index = found(rf'name="column-(\d+)" value="{key}"', page)
    assert f'name="shown-{index}" value=""' in page  # left out: nothing is named so
    assert "<strong>0</strong> to create" in page  # the lines lack their required price
    choice = mapping_form(page, **{key: "lines.unit_price"})
    choice |= {"csrf_token": csrf_token(client), "mode": "all"}
    again = job_url(client.post(url.split("?")[0] + "/preview", data=choice))
    work(app)
    second = client.get(again).text
    assert "<strong>2</strong> to create" in second
    assert "4,200.00" in second and "3,000.00" in second
    refused = mapping_form(second, **{key: "item"})  # a parent field is no line's column
    refused |= {"csrf_token": csrf_token(client), "mode": "all"}
    third = job_url(client.post(url.split("?")[0] + "/preview", data=refused))
    work(app)
    assert "import-refused" in client.get(third).text
