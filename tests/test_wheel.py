"""The built wheel: installed with pip alone (no npm, no checkout), it serves styled pages.

The wheel is built from this checkout as a packager would (`pip wheel .`), so it must carry
the front-end files of web/assets.py's PACKAGES (copied from node_modules at build time),
the templates, styles and messages, the migrations and the pack meta-schema. It is then
installed into a folder of its own and run from there — migrated, a bundled pack imported,
served by `formwork serve` on a free local port — with node_modules out of its view: the
sign-in page and the files it links answer 200 with the right content types.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
PACKAGED_FILES = (
    "web/static/vendor/htmx.org/dist/htmx.min.js",
    "web/static/vendor/htmx.org/LICENSE",
    "web/static/vendor/@picocss/pico/css/pico.min.css",
    "web/static/vendor/echarts/dist/echarts.min.js",
    "web/static/vendor/sortablejs/Sortable.min.js",
    "web/static/vendor/swagger-ui-dist/swagger-ui-bundle.js",
    "web/templates/base.html",
    "web/static/css/app.css",
    "web/translations/zh_Hans_CN/LC_MESSAGES/messages.mo",
    "migrations/versions/0001_engine_tables.py",
    "engine/definitions/pack.schema.json",
)


def run(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> str:
    done = subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (NODE_MODULES / "htmx.org").is_dir():
        pytest.skip("node_modules is missing: `npm ci` (make install) before building a wheel")
    out = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "FORMWORK_NODE_MODULES"}
    pip = (sys.executable, "-m", "pip")
    run(*pip, "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out), env=env, cwd=out, timeout=300)
    [built] = out.glob("formwork-*.whl")
    return built


def test_the_wheel_carries_the_front_end_templates_messages_and_migrations(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        missing = [name for name in PACKAGED_FILES if name not in names]
        assert missing == []
        htmx = archive.read("web/static/vendor/htmx.org/dist/htmx.min.js")
    assert htmx == (NODE_MODULES / "htmx.org" / "dist" / "htmx.min.js").read_bytes()
    assert not any(name.startswith(("node_modules/", "tests/")) for name in names)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.headers.get_content_type(), answer.read()


@pytest.fixture
def installed(wheel: Path, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The wheel installed into a folder of its own, migrated, serving on a free port."""
    target = tmp_path / "site"
    run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
        str(wheel), env=dict(os.environ), cwd=tmp_path)  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORMWORK_", "PYTHON"))}
    env |= {
        "PYTHONPATH": str(target),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'formwork.db'}",
        "SECRET_KEY": "wheel-test",
        "FORMWORK_UPLOADS": str(tmp_path / "uploads"),
        "SESSION_COOKIE_SECURE": "0",
    }
    where = run(sys.executable, "-c", "import web; print(web.__file__)", env=env, cwd=tmp_path)
    assert where.strip() == str(target / "web" / "__init__.py")
    formwork = (sys.executable, "-m", "web")
    run(*formwork, "init-db", env=env, cwd=tmp_path)
    run(*formwork, "packs", "import", str(ROOT / "modules" / "construction.json"), env=env,
        cwd=tmp_path)  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [*formwork, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "the installed server did not answer in 30 s"
            time.sleep(0.2)
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()


def test_the_installed_wheel_serves_styled_pages_without_node_modules(
    installed: tuple[str, dict[str, str]],
) -> None:
    base, env = installed
    assert "FORMWORK_NODE_MODULES" not in env
    status, kind, page = fetch(f"{base}/sign-in")
    assert status == 200 and kind == "text/html"
    html = page.decode("utf-8")
    stylesheet = re.search(r'href="(/static/vendor/@picocss/pico/css/pico\.min\.css)"', html)
    script = re.search(r'src="(/static/vendor/htmx\.org/dist/htmx\.min\.js)"', html)
    assert stylesheet and script, html
    status, kind, css = fetch(base + stylesheet.group(1))
    assert status == 200 and kind == "text/css" and css.startswith(b"@charset")
    status, kind, js = fetch(base + script.group(1))
    assert status == 200 and kind in ("text/javascript", "application/javascript")
    assert js == (NODE_MODULES / "htmx.org" / "dist" / "htmx.min.js").read_bytes()
    status, kind, _own = fetch(f"{base}/static/css/app.css")
    assert status == 200 and kind == "text/css"
