"""Browser tests: the app in a real server thread, driven by Debian's Chromium via Playwright.

They run with `make test-e2e` (pytest tests/e2e), not as part of `make test`: collecting
them needs the path asked for explicitly (or FORMWORK_E2E=1). The server gets a fresh
SQLite database with the bundled pack and the demo users, on a free local port. Chromium
is launched through `executable_path` (Playwright's own browser download is never used);
without it the tests skip, unless CI is set, where a missing browser is a failure.
Every page records JavaScript console errors and failed requests; a test ends by
asserting there were none.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

E2E = Path(__file__).resolve().parent
STATUS_MESSAGE = re.compile(
    r"^Failed to load resource: the server responded with a status of (\d{3})"
)
SCREENSHOTS = E2E / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _asked_for(config: pytest.Config) -> bool:
    if os.environ.get("FORMWORK_E2E") == "1":
        return True
    for arg in config.invocation_params.args:
        path = Path(str(arg).split("::")[0])
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        try:
            path.resolve().relative_to(E2E)
        except ValueError:
            continue
        return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave the browser tests out of a run that did not ask for them (make test)."""
    return None if _asked_for(config) else True


@dataclass
class LiveServer:
    url: str
    password: str


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which(CHROMIUM) or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Chromium at {CHROMIUM}: apt-get install -y chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium to run these)")
    return found


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The app on a free port of 127.0.0.1, in a thread, with its own database."""
    from tests.web.helpers import PASSWORD, make_app

    app = make_app(database_url, tmp_path / "uploads")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", PASSWORD)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["formwork"].engine.dispose()


@dataclass
class Watch:
    """What went wrong on the pages of one test."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    expected_statuses: set[tuple[str, int]] = field(default_factory=set)

    def check(self) -> None:
        assert self.console_errors == [], self.console_errors
        assert self.failed_requests == [], self.failed_requests


@pytest.fixture
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # An assertion waits as long as an action does: on two shared cores a form post, its
    # redirect and the next page can take longer than Playwright's 5 s default.
    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def new_page(browser: Any, watch: Watch) -> Iterator[Any]:
    """A factory of pages (one browser context each) that report errors to `watch`."""
    contexts = []

    def make(locale: str = "en-GB", width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)

        def on_console(message: Any) -> None:
            if message.type != "error":
                return
            status = STATUS_MESSAGE.match(message.text)
            where = message.location.get("url", "") if message.location else ""
            path = "/" + where.split("://", 1)[-1].split("/", 1)[-1] if where else ""
            if status and (path, int(status.group(1))) in watch.expected_statuses:
                return  # the browser noting a status the test asked for, not a script error
            watch.console_errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda e: watch.console_errors.append(f"{page.url}: {e}"))

        def on_failed(request: Any) -> None:
            # the browser cancelling a request because the page moved on (a favicon still
            # loading when a form submits) is not a failure; errors answered by the server
            # are caught by on_response below
            if request.failure == "net::ERR_ABORTED":
                return
            watch.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

        page.on("requestfailed", on_failed)

        def on_response(response: Any) -> None:
            path = response.url.split("://", 1)[-1].split("/", 1)[-1]
            if response.status >= 400 and ("/" + path, response.status) not in {
                (p, s) for p, s in watch.expected_statuses
            }:
                watch.failed_requests.append(f"{response.status} {response.url}")

        page.on("response", on_response)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
