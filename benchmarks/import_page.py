"""What the import pages cost a server: the upload of a large file, one poll, the preview page.

An accountant uploads N cost centres (a CSV of one line each, every tenth with a wrong
period) through the page, in-process (WSGI, no network). Prints the time of the upload
(kept in the file store and queued), of one poll of the running job (the htmx fragment),
of the preview run by the worker, and of the finished preview page (its first records and
up to 200 problems), each the median of several requests.

    .venv/bin/python benchmarks/import_page.py                 # 100,000 rows
    .venv/bin/python benchmarks/import_page.py --rows 5000     # a quick run
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import update

from engine.attachments import LocalFolder
from engine.db import transaction
from engine.imports.jobs import run_next
from engine.migrate import upgrade_database
from engine.models_imports import ImportJob
from tests.web.helpers import csrf_token, make_app, sign_in_as

HEADER = "所属项目,成本科目,期间（年-月）,摘要,名称,数量,单价"


def cost_file(rows: int) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        period = "2026-13" if n % 10 == 0 else "2026-03"
        lines.append(f"PRJ-2026-001,材料费,{period},采购{n},钢筋,1,4200")
    return ("\n".join(lines) + "\n").encode("utf-8")


def median_ms(run: Callable[[], object], times: int) -> float:
    found = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        found.append((time.perf_counter() - start) * 1000)
    return statistics.median(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="formwork-import-page-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade_database_url(url)
    app = make_app(url, folder / "uploads")
    client = app.test_client()
    sign_in_as(client, "accountant")
    body = cost_file(args.rows)
    print(f"file: {args.rows:,} rows, {len(body) / 1e6:.1f} MB", file=sys.stderr)

    form = {"csrf_token": csrf_token(client), "file": (io.BytesIO(body), "costs.csv")}
    start = time.perf_counter()
    answer = client.post("/m/cost_centre/import", data=form)
    upload_ms = (time.perf_counter() - start) * 1000
    job = answer.headers["Location"]
    job_id = int(job.split("/imports/")[1].split("?")[0])

    factory = app.extensions["formwork"].session_factory
    with transaction(factory) as session:  # as the page sees a job half done
        session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(status="running", total=args.rows, done=args.rows // 2)
        )
    poll_ms = median_ms(lambda: client.get(job, headers={"HX-Request": "true"}), args.runs)
    with transaction(factory) as session:
        session.execute(update(ImportJob).where(ImportJob.id == job_id).values(status="queued"))

    start = time.perf_counter()
    run_next(factory, LocalFolder(folder / "uploads"), worker="bench")
    preview_s = time.perf_counter() - start
    page = client.get(job)
    assert "import-counts" in page.text, page.text[:500]
    page_ms = median_ms(lambda: client.get(job), args.runs)

    print(f"upload (store + queue)        {upload_ms:8.1f} ms")
    print(f"one poll of a running job     {poll_ms:8.1f} ms (median of {args.runs})")
    print(
        f"preview run by the worker     {preview_s:8.1f} s  ({args.rows / preview_s:,.0f} rows/s)"
    )
    print(f"finished preview page         {page_ms:8.1f} ms (median of {args.runs})")
    app.extensions["formwork"].engine.dispose()


def upgrade_database_url(url: str) -> None:
    from engine.db import make_engine

    engine = make_engine(url)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
