"""The bundled construction pack's version, and the versions an upgrade of it would take.

Tests that upgrade, restore or publish the installed pack name versions from here, so
bumping the pack's `version` does not mean editing every test that says "the next one".
"""

from __future__ import annotations

import json
from pathlib import Path

PACK_FILE = Path(__file__).resolve().parents[1] / "modules" / "construction.json"


def next_version(version: str, steps: int = 1) -> str:
    """The minor version `steps` after `version` (1.2.0 → 1.3.0), as the builder publishes."""
    major, minor, *_ = (int(part) for part in version.split("."))
    return f"{major}.{minor + steps}.0"


CURRENT = json.loads(PACK_FILE.read_text(encoding="utf-8"))["version"]
NEXT = next_version(CURRENT)
LATER = next_version(CURRENT, 2)
