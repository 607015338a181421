"""Problem codes of the module builder's edits (engine/builder/), with their English sentences.

Merged into engine/codes.MESSAGES like the other groups; web/problems_builder.py says them in
the reader's language. The pack checks' own codes (an invalid pattern, an unknown module)
keep their codes when the builder meets them first.
"""

from __future__ import annotations

EDITS: dict[str, str] = {
    "builder_id_invalid": (
        "{value!r} is not a valid id: lower-case letters, digits and _, starting with a "
        "letter, at most {limit} characters"
    ),
    "builder_pack_id_invalid": (
        "{value!r} is not a valid pack id: lower-case letters, digits, _ and -, starting "
        "with a letter, 2 to 63 characters"
    ),
    "builder_pack_taken": "a pack {value!r} is installed already: add the module to it instead",
    "builder_module_taken": "there is a module {value!r} already: choose another id",
    "builder_field_taken": "{value!r} is already a field here: choose another id",
    "builder_unknown_field": "there is no field {value!r} here",
    "builder_unknown_module": "the draft has no module {value!r}",
    "builder_unknown_kind": "there is no field kind {value!r}",
    "builder_unknown_pack": "no pack {value!r} is installed",
    "builder_unknown_template": "no installed module {value!r} to copy",
    "builder_not_a_table": "{value!r} is not a child table",
    "builder_nested_table": "a child table cannot hold another child table",
    "builder_title_missing": "give a title in at least one language",
    "builder_text_too_long": "at most {limit} characters",
    "builder_not_a_number": "{value!r} is not a number",
    "builder_not_a_whole_number": "{value!r} is not a whole number",
    "builder_number_too_large": "{value} is too large: at most {limit}",
    "builder_bounds_reversed": "the minimum {low} is above the maximum {high}",
    "builder_pattern_invalid": "{value!r} is not a valid pattern: {detail}",
    "builder_choice_line": (
        "line {line}: write a choice as value | English | 中文, the value in lower-case "
        "letters, digits and _"
    ),
    "builder_choice_twice": "the choice {value!r} is given twice",
    "builder_file_type": "{value!r} is not a file type: write .pdf or image/* or image/png",
    "builder_order_mismatch": "the new order must name every field once",
    "builder_draft_behind": (
        "pack {pack} is at version {installed} now, and this draft started from {version}: "
        "someone published in between. Start a new draft from the installed version"
    ),
    "builder_draft_changed": "the draft changed after your review: review it again",
    "builder_draft_gone": "pack {pack} is no longer installed; this draft cannot be published",
    "builder_no_workflow": "this module has no workflow yet: add one first",
    "builder_workflow_exists": "this module has a workflow already",
    "builder_state_taken": "{value!r} is already a state here: choose another id",
    "builder_unknown_state": "there is no state {value!r} here",
    "builder_state_in_use": (
        "the state {value!r} is used by the transitions {transitions}: change or remove them first"
    ),
    "builder_state_initial": (
        "new records start in {value!r}: make another state the initial one first"
    ),
    "builder_unknown_transition": "there is no transition {value!r} here",
    "builder_transition_from_missing": "choose at least one state the transition leaves from",
    "builder_comment_rule": "{value!r} is not a comment rule: none, optional or required",
    "builder_quorum_invalid": (
        "{value!r} is not a quorum: any, all, a number of votes or a share such as 60%"
    ),
    "builder_approvers_invalid": "approvers are chosen by role or by a user field, not {value!r}",
}

PERMISSIONS: dict[str, str] = {
    "builder_unknown_role": "the pack declares no role {value!r}: add it first",
    "builder_role_taken": "there is a role {value!r} already: choose another id",
    "builder_permission_level": "{action} can be none, own or all, not {value!r}",
    "builder_field_rule": "a field rule is hidden or read, not {value!r}",
    "builder_scope_not_link": (
        "{value!r} is not a link field of this module: only a link can scope rows"
    ),
}
EDITS.update(PERMISSIONS)  # one group for engine/codes.MESSAGES

LAYOUT: dict[str, str] = {
    "builder_columns_range": "{value!r} columns: a section has {low} to {high} columns",
    "builder_section_empty": (
        "a section needs at least one field: remove the section to leave its fields unplaced"
    ),
    "builder_field_placed_twice": (
        "{value!r} is in section {section} already: a field goes in one place"
    ),
    "builder_unknown_section": "there is no section {value} in this form",
}
EDITS.update(LAYOUT)  # one group for engine/codes.MESSAGES

DUE: dict[str, str] = {
    "builder_due_invalid": (
        "{value!r} is not a due time: a positive whole number of hours, days or weeks, at "
        "most {limit}"
    ),
    "builder_due_unit": "a due time is counted in hours, days or weeks, not {value!r}",
    "builder_on_due_wrong_state": (
        "the transition {value!r} does not leave the state {state!r}, so it cannot fire "
        "when a record there is overdue"
    ),
    "builder_on_due_without_due": "give a due time before choosing what happens when it passes",
}
EDITS.update(DUE)  # one group for engine/codes.MESSAGES

CONDITIONS: dict[str, str] = {
    "builder_condition_self": (
        "the {where} condition of {field!r} reads {field!r} itself: a field cannot be shown "
        "or required by its own value; base it on another field"
    ),
    "builder_condition_in_table": (
        "{field!r} is a column of the child table {table!r}: show_if and required_if are set "
        "on the form's own fields, not on a child table's columns"
    ),
}
EDITS.update(CONDITIONS)  # one group for engine/codes.MESSAGES

REPORTS: dict[str, str] = {
    "builder_unknown_report": "there is no report {value!r} over this module",
    "builder_report_taken": "there is a report {value!r} already: choose another id",
    "builder_group_twice": "the report is grouped by {value!r} twice",
    "builder_measures_missing": "give the report at least one measure, such as count()",
    "builder_measure_twice": "the measure {value!r} is given twice",
    "builder_measure_is_group": (
        "the measure {value!r} has the name of one of the report's groups: choose another name"
    ),
    "builder_measure_empty": "write what the measure {value!r} computes, such as sum(hours)",
    "builder_chart_type": "{value!r} is not a chart type: {choices}",
    "builder_chart_axis_missing": "choose what the chart draws on this axis",
}
EDITS.update(REPORTS)  # one group for engine/codes.MESSAGES

VIEWS: dict[str, str] = {
    "builder_field_unfit": "{value!r} does not fit {key}: choose one of the fields offered there",
    "builder_view_needs": "a {view} view needs its {key} field: choose one",
    "builder_unknown_view": "{value!r} is not a view: kanban, calendar or gantt",
}
EDITS.update(VIEWS)  # one group for engine/codes.MESSAGES

# Bad input caught where the admin makes it: a field id the system keeps for itself.
BAD_INPUT: dict[str, str] = {
    "builder_field_reserved": (
        "{value!r} is a name the system keeps for every record (its id, number, state, owner, "
        "dates): choose another id"
    ),
}
EDITS.update(BAD_INPUT)  # one group for engine/codes.MESSAGES
