"""Front-end packages served under /static/vendor/<package>/<file>.

In a checkout they come from node_modules: `make install` (and so `make run`) installs them
from the lock file with `npm ci`. A built wheel carries a copy of the same folders in
web/static/vendor (setup.py copies them at build time), so an installed wheel needs no npm.
Nothing is fetched from a CDN at run time. Only the distribution folders of the packages
listed in PACKAGES are reachable, through `send_from_directory` (no path escapes the folder).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, send_from_directory, url_for
from flask.typing import ResponseReturnValue

ROOT = Path(__file__).resolve().parent.parent
PACKAGED = Path(__file__).resolve().parent / "static" / "vendor"  # a wheel's copy (setup.py)
# package → the folder inside it that may be served
PACKAGES = {
    "htmx.org": "dist",
    "@picocss/pico": "css",
    "echarts": "dist",
    "swagger-ui-dist": "",
    "sortablejs": "",
}
MAX_AGE = 7 * 24 * 3600

bp = Blueprint("assets", __name__)


def node_modules() -> Path:
    """Where the npm packages are: FORMWORK_NODE_MODULES, else the copy an installed wheel
    carries, else node_modules in the project (a checkout after `npm ci`)."""
    configured = current_app.config.get("FORMWORK_NODE_MODULES") or os.environ.get(
        "FORMWORK_NODE_MODULES"
    )
    if configured:
        return Path(configured)
    return PACKAGED if PACKAGED.is_dir() else ROOT / "node_modules"


def _split(path: str) -> tuple[str, str] | None:
    for package in sorted(PACKAGES, key=len, reverse=True):
        if path.startswith(package + "/"):
            return package, path[len(package) + 1 :]
    return None


@bp.get("/static/vendor/<path:path>")
def vendor(path: str) -> ResponseReturnValue:
    """One file of an allowed package's distribution folder."""
    found = _split(path)
    if found is None:
        abort(404)
    package, rest = found
    folder = node_modules() / package / PACKAGES[package]
    subfolder = PACKAGES[package]
    if subfolder and rest.startswith(subfolder + "/"):
        rest = rest[len(subfolder) + 1 :]
    return send_from_directory(folder, rest, max_age=MAX_AGE)


def vendor_url(package: str, file: str) -> str:
    """The URL of `file` inside an allowed package's distribution folder."""
    folder = PACKAGES[package]
    return url_for("assets.vendor", path=f"{package}/{folder + '/' if folder else ''}{file}")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["vendor_url"] = vendor_url
