"""Messages, in the reader's language, of the codes in engine/codes_workflow.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _  # noqa: F401 (the table fills with it)

Params = Mapping[str, Any]

CHECKS: dict[str, Callable[[Params], str]] = {}
