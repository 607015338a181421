"""Problem codes of multi-user fields and approvals that need several groups at once.

The import checks (engine/definitions/check_workflow.py) use these; engine/codes.py merges
them into MESSAGES.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "quorum_over_groups": (
        "quorum {value} asks more groups than the {groups} the approval lists: "
        "use a number up to {groups}, or 'all'"
    ),
}
