"""Build hook: a wheel carries the front-end files it serves, so `pip install` needs no npm.

Building a wheel (`pip wheel .`, `python -m build`, `make wheel`) copies the folders that
web/assets.py serves (its PACKAGES) from node_modules — installed from package-lock.json by
`npm ci` — into the wheel's web/static/vendor/, with each package's licence, and the pack
meta-schema (schemas/pack.schema.json) beside the loader that reads it. web/assets.py serves
that copy when it is there, node_modules otherwise. Nothing is copied into the source tree,
and an editable install (`pip install -e .`, the developers' way) copies nothing.
Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
LICENCE_PREFIXES = ("license", "licence", "notice", "package.json")


def served_packages() -> dict[str, str]:
    """web/assets.py's PACKAGES (package → served folder), read without importing Flask."""
    tree = ast.parse((HERE / "web" / "assets.py").read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "PACKAGES" for t in targets):
            value = getattr(node, "value", None)
            if value is not None:
                return dict(ast.literal_eval(value))
    raise SystemExit("web/assets.py names no PACKAGES to copy into the wheel")


def node_modules() -> Path:
    configured = os.environ.get("FORMWORK_NODE_MODULES")
    return Path(configured) if configured else HERE / "node_modules"


def checked_package(source: Path, package: str, locked: dict[str, dict[str, str]]) -> Path:
    """The installed package, which must be the version package-lock.json names."""
    folder = source / package
    wanted = locked.get(f"node_modules/{package}", {}).get("version")
    manifest = folder / "package.json"
    if not manifest.is_file():
        raise SystemExit(f"{folder} is missing: run `npm ci` (or `make wheel`) before the wheel")
    found = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    if wanted is not None and found != wanted:
        raise SystemExit(f"{package} is {found} in {source}, the lock file says {wanted}: npm ci")
    return folder


def copy_vendor(target: Path) -> None:
    """The served folders of PACKAGES, and each package's licence, under `target`."""
    lock = json.loads((HERE / "package-lock.json").read_text(encoding="utf-8"))
    source = node_modules()
    if target.exists():
        shutil.rmtree(target)
    for package, served in served_packages().items():
        folder = checked_package(source, package, lock.get("packages", {}))
        destination = target / package
        shutil.copytree(folder / served, destination / served, dirs_exist_ok=True)
        for item in folder.iterdir():
            if item.is_file() and item.name.lower().startswith(LICENCE_PREFIXES):
                shutil.copy2(item, destination / item.name)


class BuildWithFrontEnd(build_py):
    """build_py, then the front-end files and the meta-schema into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        built = Path(self.build_lib)
        copy_vendor(built / "web" / "static" / "vendor")
        schema = HERE / "schemas" / "pack.schema.json"
        shutil.copy2(schema, built / "engine" / "definitions" / schema.name)


setup(cmdclass={"build_py": BuildWithFrontEnd})
