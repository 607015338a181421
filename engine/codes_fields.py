"""Problem codes of the pack checks of engine/definitions/check_fields.py and its neighbours.

Kept beside engine/codes.py (which merges them into MESSAGES) so each group of checks has
its own table of English sentences.
"""

from __future__ import annotations

CHECKS: dict[str, str] = {}
