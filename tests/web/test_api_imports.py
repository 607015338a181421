"""Imports through the API: the accountant sends a funds CSV, a worker runs it, the accountant
follows the job and downloads the rejected rows; nobody else sees the job, a role that may
not import is refused before anything is kept, and a file over the limit is 413."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from engine.attachments import LocalFolder
from engine.db import transaction
from engine.imports.jobs import run_next
from engine.models_imports import ImportJob
from tests.web.helpers import Api, body, errors, make_api

HEADER = "所属项目,收付方向,资金类别,往来单位,金额,日期"
ROWS = [
    "PRJ-2026-001,付款,材料款,华东钢材,12000.50,2026/3/2",
    "PRJ-2026-001,付款,材料款,华东钢材,-5,2026/3/3",
    "PRJ-2026-001,收款,工程进度款,建设单位,800000,2026年3月4日",
]


def funds_csv(rows: list[str] = ROWS, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("gbk")


def send(api: Api, data: bytes, as_: str = "accountant", **fields: str) -> Any:
    form: dict[str, Any] = {"file": (io.BytesIO(data), "资金.csv"), **fields}
    return api.post("/modules/fund/imports", as_=as_, data=form, content_type="multipart/form-data")


def funds(api: Api) -> int:
    with transaction(api.session_factory, write=False) as session:
        return session.scalar(select(func.count()).select_from(text("m_fund"))) or 0


def jobs_kept(api: Api) -> int:
    with transaction(api.session_factory, write=False) as session:
        return session.scalar(select(func.count()).select_from(ImportJob)) or 0


def work(api: Api, tmp_path: Path) -> int | None:
    return run_next(api.session_factory, LocalFolder(tmp_path / "uploads"))


def test_a_funds_file_is_queued_run_followed_and_its_rejected_rows_downloaded(
    api: Api, tmp_path: Path
) -> None:
    before = funds(api)
    sent = send(api, funds_csv(), mode="valid")
    assert sent.status_code == 202, sent.text
    job = body(sent)
    assert job["status"] == "queued" and sent.headers["Location"] == job["url"]
    assert funds(api) == before
    assert work(api, tmp_path) == job["id"]
    read = api.get(f"/imports/{job['id']}", as_="accountant", headers={"Accept-Language": "zh-CN"})
    done = body(read)
    assert read.status_code == 200 and done["status"] == "done"
    assert (done["created"], done["rejected"]) == (2, 1)
    assert done["progress"] == {"done": 3, "total": 3, "percent": 100}
    assert done["mapping"]["金额"] == "amount" and done["by"] == "accountant"
    (problem,) = done["problems"]
    assert (problem["row"], problem["column"], problem["path"]) == (3, "金额", "/amount")
    assert any("\u4e00" <= c <= "\u9fff" for c in problem["message"])  # worded in Chinese
    assert funds(api) == before + 2
    rejected = api.get(f"/imports/{job['id']}/rejected", as_="accountant")
    assert rejected.status_code == 200 and rejected.mimetype == "text/csv"
    lines = rejected.get_data().decode("utf-8-sig").splitlines()
    rejected.close()
    assert lines[0] == HEADER + ",error" and lines[1].startswith(ROWS[1])


def test_nobody_else_reads_or_cancels_the_job_and_an_administrator_does(
    api: Api, tmp_path: Path
) -> None:
    job = body(send(api, funds_csv()))
    for who in ("manager", "viewer"):
        assert api.get(f"/imports/{job['id']}", as_=who).status_code == 404
        assert api.post(f"/imports/{job['id']}/cancel", as_=who).status_code == 404
        assert api.get(f"/imports/{job['id']}/rejected", as_=who).status_code == 404
    assert body(api.get(f"/imports/{job['id']}", as_="admin"))["by"] == "accountant"
    cancelled = api.post(f"/imports/{job['id']}/cancel", as_="accountant")
    assert cancelled.status_code == 202 and body(cancelled)["status"] == "cancelled"
    assert work(api, tmp_path) is None  # a cancelled job never starts


def test_a_role_that_may_not_import_is_refused_and_nothing_is_kept(
    api: Api, tmp_path: Path
) -> None:
    refused = send(api, funds_csv(), as_="viewer")
    assert refused.status_code == 403
    assert [e["code"] for e in errors(refused)] == ["import_not_allowed"]
    assert send(api, funds_csv(), as_="foreman").status_code == 404  # may not even read it
    assert jobs_kept(api) == 0 and not list((tmp_path / "uploads").rglob("*"))


def test_a_file_over_the_limit_is_413_and_nothing_is_kept(
    database_url: str, tmp_path: Path
) -> None:
    small = make_api(database_url, tmp_path, FORMWORK_IMPORT_MAX_BYTES=200)
    try:
        refused = send(small, funds_csv(ROWS * 10))
        assert refused.status_code == 413, refused.text
        assert jobs_kept(small) == 0
        assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    finally:
        small.app.extensions["formwork"].engine.dispose()


def test_bad_options_are_named_at_once(api: Api) -> None:
    refused = send(api, funds_csv(), mapping="[1]", mode="some", dry_run="perhaps")
    assert refused.status_code == 422
    assert {e["path"] for e in errors(refused)} == {"/mapping", "/mode", "/dry_run"}
    assert jobs_kept(api) == 0


def test_a_dry_run_with_a_mapping_writes_nothing(api: Api, tmp_path: Path) -> None:
    before = funds(api)
    mapping = json.dumps({"对方": "counterparty"}, ensure_ascii=False)
    header = HEADER.replace("往来单位", "对方")  # a header no field is titled
    job = body(send(api, funds_csv(ROWS[:1], header), mapping=mapping, dry_run="1"))
    work(api, tmp_path)
    done = body(api.get(f"/imports/{job['id']}", as_="accountant"))
    assert done["dry_run"] and done["status"] == "done" and done["rejected"] == 0
    assert done["mapping"]["对方"] == "counterparty"
    assert done["sample"][0]["data"]["counterparty"] == "华东钢材"
    assert funds(api) == before
