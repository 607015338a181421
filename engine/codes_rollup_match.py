"""Problem codes of rollups matched by fields (`x-rollup` with `match`).

The import checks (engine/definitions/check_rollup_match.py) use them; engine/codes.py
merges this table into MESSAGES.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "rollup_link_or_match": (
        "the rollup names {given} of link and match; it needs exactly one: link (a field "
        "of the summed records pointing here) or match (their fields equal to this record's)"
    ),
    "rollup_match_unknown": (
        "{field!r} is not a stored value of {module}{hint} that a match can compare ({fields})"
    ),
    "rollup_match_mismatch": (
        "{field} is {left} and {target} is {right}: a match compares two links "
        "to the same module, or two values of one type"
    ),
}
