"""Problem codes of record rules: transitions that set fields, validations with their own
message, guards' messages and fields editable only in some states.

Kept beside engine/codes.py (which merges them into MESSAGES). The refusals a user meets
(`guard_message`, `rule_message`) carry the pack's own sentence: `message` is its English
(or its only) text and `texts` the whole localized text, which web/ picks from in the
reader's language. No sentence here quotes the expression a rule is written in.
"""

from __future__ import annotations

# Refusals of the record services and the workflow.
REFUSALS: dict[str, str] = {
    "guard_message": "{message}",
    "rule_failed": "the record does not meet a rule of {module}",
    "rule_message": "{message}",
    "field_state_locked": "{field!r} may change only in the states {states}, not in {state!r}",
}

# Pack checks (engine/definitions/check_rules.py).
CHECKS: dict[str, str] = {
    "set_unknown_field": "transition {transition!r} sets {field!r}: {detail}",
    "set_computed_field": (
        "transition {transition!r} sets {field!r}, which is computed, a child table or not "
        "stored; it can set stored fields only"
    ),
    "set_type_clash": (
        "transition {transition!r} sets {field!r} ({expected}) to {text!r}, which gives {actual}"
    ),
    "validation_unknown_field": "a validation shows its message at {field!r}: {detail}",
    "validation_rows_unknown": (
        "a validation checks the rows of {table!r}{hint}, which is not a child table of "
        "{module}; its child tables are {tables}"
    ),
    "editable_in_no_workflow": (
        "{field!r} is editable only in some states (x-editable-in), but {module} has no workflow"
    ),
}
