"""How quickly the module builder answers an admin as they type and click.

The builder redraws on every keystroke (after a 300 ms pause): the expression check, the
workflow drawing and the live preview must answer well inside that pause or typing feels
late. This opens the bundled construction pack's labour tally in the builder on a scratch
SQLite database and times each answer through the app's own test client (the whole request:
routing, session, CSRF, the draft read, the engine call, the template), N runs each.

    .venv/bin/python -m benchmarks.builder [--runs 30]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from benchmarks.harness import Timing, scratch_database, timed_ms
from engine.migrate import upgrade_database
from tests.web.helpers import csrf_token, make_app, sign_in_as

DRAFT = re.compile(r"/admin/builder/d/([0-9a-f-]+)")


def _open_draft(client: FlaskClient) -> str:
    token = csrf_token(client)
    response = client.post(
        "/admin/builder/packs/construction",
        data={"csrf_token": token, "module": "labour_tally"},
    )
    match = DRAFT.search(response.headers.get("Location", ""))
    if match is None:
        raise SystemExit(f"could not open the pack in the builder: {response.status_code}")
    return f"/admin/builder/d/{match.group(1)}"


def _calls(client: FlaskClient, draft: str) -> dict[str, Callable[[], TestResponse]]:
    token = csrf_token(client)

    def posting(url: str, data: dict[str, str]) -> Callable[[], TestResponse]:
        return lambda: client.post(url, data={"csrf_token": token, **data})

    check = {"pack": "construction", "module": "labour_tally", "where": "formula"}
    return {
        "editor page (fields, settings, preview)": lambda: client.get(f"{draft}?field=amount"),
        "expression check (formula + sample)": posting(
            "/admin/builder/expression/check", {**check, "text": "sum(items.hours) * rate"}
        ),
        "expression check (a mistake)": posting(
            "/admin/builder/expression/check", {**check, "text": "sum(items.hourz) * rate"}
        ),
        "live preview (sample values typed)": posting(
            f"{draft}/preview", {"d.worker": "Lee", "d.rate": "40"}
        ),
        "workflow drawing of unsaved values": posting(
            f"{draft}/workflow/draw/state", {"title_en": "Checked", "title_zh": "已核"}
        ),
        "publish review (dry-run diff)": posting(f"{draft}/publish", {}),
    }


def measure(runs: int) -> None:
    with scratch_database(None) as url:
        upgrade_database(url)
        app = make_app(url, Path(tempfile.mkdtemp(prefix="formwork-bench-uploads-")))
        client = app.test_client()
        sign_in_as(client, "admin")
        draft = _open_draft(client)
        print(f"builder answers over {runs} runs (ms, whole request, SQLite)")
        print(f"{'answer':44} {'min':>7} {'median':>7} {'max':>7} status")
        for name, call in _calls(client, draft).items():
            status = call().status_code  # warm up, and show what it answered
            timing = Timing()
            for _ in range(runs):
                timing.samples_ms.append(timed_ms(call))
            print(f"{name:44} {timing.min:7.1f} {timing.median:7.1f} {timing.max:7.1f} {status}")
        app.extensions["formwork"].engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    measure(parser.parse_args().runs)


if __name__ == "__main__":
    main()
