"""Messages, in the reader's language, of the module builder's codes (engine/codes_builder.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

EDITS: dict[str, Callable[[Params], str]] = {
    "builder_id_invalid": lambda p: _(
        "%(value)s is not a valid id: use lower-case letters, digits and _, starting with a "
        "letter, at most %(limit)s characters.",
        value=p.get("value"),
        limit=p.get("limit"),
    ),
    "builder_pack_id_invalid": lambda p: _(
        "%(value)s is not a valid pack id: use 2 to 63 lower-case letters, digits, _ and -, "
        "starting with a letter.",
        value=p.get("value"),
    ),
    "builder_pack_taken": lambda p: _(
        "A pack %(value)s is installed already: add the module to it instead.",
        value=p.get("value"),
    ),
    "builder_module_taken": lambda p: _(
        "There is a module %(value)s already: choose another id.", value=p.get("value")
    ),
    "builder_field_taken": lambda p: _(
        "%(value)s is already a field here: choose another id.", value=p.get("value")
    ),
    "builder_unknown_field": lambda p: _("There is no field %(value)s here.", value=p.get("value")),
    "builder_unknown_module": lambda p: _(
        "The draft has no module %(value)s.", value=p.get("value")
    ),
    "builder_unknown_kind": lambda p: _("There is no field kind %(value)s.", value=p.get("value")),
    "builder_unknown_pack": lambda p: _("No pack %(value)s is installed.", value=p.get("value")),
    "builder_unknown_template": lambda p: _(
        "There is no installed module %(value)s to copy.", value=p.get("value")
    ),
    "builder_not_a_table": lambda p: _("%(value)s is not a child table.", value=p.get("value")),
    "builder_nested_table": lambda p: _("A child table cannot hold another child table."),
    "builder_title_missing": lambda p: _("Give a title in at least one language."),
    "builder_text_too_long": lambda p: _("At most %(limit)s characters.", limit=p.get("limit")),
    "builder_not_a_number": lambda p: _("%(value)s is not a number.", value=p.get("value")),
    "builder_not_a_whole_number": lambda p: _(
        "%(value)s is not a whole number.", value=p.get("value")
    ),
    "builder_number_too_large": lambda p: _(
        "%(value)s is too large: at most %(limit)s.", value=p.get("value"), limit=p.get("limit")
    ),
    "builder_bounds_reversed": lambda p: _(
        "The minimum %(low)s is above the maximum %(high)s.", low=p.get("low"), high=p.get("high")
    ),
    "builder_pattern_invalid": lambda p: _(
        "%(value)s is not a valid pattern: %(detail)s", value=p.get("value"), detail=p.get("detail")
    ),
    "builder_choice_line": lambda p: _(
        "Line %(line)s: write a choice as value | English | 中文, the value in lower-case "
        "letters, digits and _.",
        line=p.get("line"),
    ),
    "builder_choice_twice": lambda p: _(
        "The choice %(value)s is given twice.", value=p.get("value")
    ),
    "builder_file_type": lambda p: _(
        "%(value)s is not a file type: write .pdf, image/* or image/png.", value=p.get("value")
    ),
    "builder_order_mismatch": lambda p: _("The new order must name every field once."),
    "builder_draft_behind": lambda p: _(
        "Pack %(pack)s is at version %(installed)s now, and this draft started from %(version)s: "
        "someone published in between. Start a new draft from the installed version.",
        pack=p.get("pack"),
        installed=p.get("installed"),
        version=p.get("version"),
    ),
    "builder_draft_changed": lambda p: _(
        "The draft changed after your review: review it again before publishing."
    ),
    "builder_draft_gone": lambda p: _(
        "Pack %(pack)s is no longer installed; this draft cannot be published.",
        pack=p.get("pack"),
    ),
    "builder_no_workflow": lambda p: _("This module has no workflow yet: add one first."),
    "builder_workflow_exists": lambda p: _("This module has a workflow already."),
    "builder_state_taken": lambda p: _(
        "%(value)s is already a state here: choose another id.", value=p.get("value")
    ),
    "builder_unknown_state": lambda p: _("There is no state %(value)s here.", value=p.get("value")),
    "builder_state_in_use": lambda p: _(
        "The state %(value)s is used by the transitions %(used)s: change or remove them first.",
        value=p.get("value"),
        used=p.get("transitions"),
    ),
    "builder_state_initial": lambda p: _(
        "New records start in %(value)s: make another state the initial one first.",
        value=p.get("value"),
    ),
    "builder_unknown_transition": lambda p: _(
        "There is no transition %(value)s here.", value=p.get("value")
    ),
    "builder_transition_from_missing": lambda p: _(
        "Choose at least one state the transition leaves from."
    ),
    "builder_comment_rule": lambda p: _(
        "%(value)s is not a comment rule: none, optional or required.", value=p.get("value")
    ),
    "builder_quorum_invalid": lambda p: _(
        "%(value)s is not a quorum: any, all, a number of votes or a share such as 60%%.",
        value=p.get("value"),
    ),
    "builder_approvers_invalid": lambda p: _(
        "Approvers are chosen by role or by a user field, not %(value)s.", value=p.get("value")
    ),
}

PERMISSIONS: dict[str, Callable[[Params], str]] = {
    "builder_unknown_role": lambda p: _(
        "The pack declares no role %(value)s: add it first.", value=p.get("value")
    ),
    "builder_role_taken": lambda p: _(
        "There is a role %(value)s already: choose another id.", value=p.get("value")
    ),
    "builder_permission_level": lambda p: _(
        "%(action)s can be none, own or all, not %(value)s.",
        action=p.get("action"),
        value=p.get("value"),
    ),
    "builder_field_rule": lambda p: _(
        "A field rule is hidden or read-only, not %(value)s.", value=p.get("value")
    ),
    "builder_scope_not_link": lambda p: _(
        "%(value)s is not a link field of this module: only a link can scope rows.",
        value=p.get("value"),
    ),
}
EDITS.update(PERMISSIONS)  # said with the other builder codes

LAYOUT: dict[str, Callable[[Params], str]] = {
    "builder_columns_range": lambda p: _(
        "%(value)s columns: a section has %(low)s to %(high)s columns.",
        value=p.get("value"),
        low=p.get("low"),
        high=p.get("high"),
    ),
    "builder_section_empty": lambda p: _(
        "A section needs at least one field: remove the section to leave its fields unplaced."
    ),
    "builder_field_placed_twice": lambda p: _(
        "%(value)s is in section %(section)s already: a field goes in one place.",
        value=p.get("value"),
        section=p.get("section"),
    ),
    "builder_unknown_section": lambda p: _(
        "There is no section %(value)s in this form.", value=p.get("value")
    ),
}
EDITS.update(LAYOUT)  # said with the other builder codes

DUE: dict[str, Callable[[Params], str]] = {
    "builder_due_invalid": lambda p: _(
        "%(value)s is not a due time: give a positive whole number of hours, days or weeks, "
        "at most %(limit)s.",
        value=p.get("value"),
        limit=p.get("limit"),
    ),
    "builder_due_unit": lambda p: _(
        "A due time is counted in hours, days or weeks, not %(value)s.", value=p.get("value")
    ),
    "builder_on_due_wrong_state": lambda p: _(
        "The transition %(value)s does not leave the state %(state)s, so it cannot fire when "
        "a record there is overdue.",
        value=p.get("value"),
        state=p.get("state"),
    ),
    "builder_on_due_without_due": lambda p: _(
        "Give a due time before choosing what happens when it passes."
    ),
}
EDITS.update(DUE)  # said with the other builder codes

CONDITIONS: dict[str, Callable[[Params], str]] = {
    "builder_condition_self": lambda p: _(
        "The %(where)s condition of %(field)s reads %(field)s itself: a field cannot be shown "
        "or required by its own value; base it on another field.",
        where=p.get("where"),
        field=p.get("field"),
    ),
    "builder_condition_in_table": lambda p: _(
        "%(field)s is a column of the child table %(table)s: show_if and required_if are set "
        "on the form's own fields, not on a child table's columns.",
        field=p.get("field"),
        table=p.get("table"),
    ),
}
EDITS.update(CONDITIONS)  # said with the other builder codes

REPORTS: dict[str, Callable[[Params], str]] = {
    "builder_unknown_report": lambda p: _(
        "There is no report %(value)s over this module.", value=p.get("value")
    ),
    "builder_report_taken": lambda p: _(
        "There is a report %(value)s already: choose another id.", value=p.get("value")
    ),
    "builder_group_twice": lambda p: _(
        "The report is grouped by %(value)s twice.", value=p.get("value")
    ),
    "builder_measures_missing": lambda p: _(
        "Give the report at least one measure, such as count()."
    ),
    "builder_measure_twice": lambda p: _(
        "The measure %(value)s is given twice.", value=p.get("value")
    ),
    "builder_measure_is_group": lambda p: _(
        "The measure %(value)s has the name of one of the report's groups: choose another name.",
        value=p.get("value"),
    ),
    "builder_measure_empty": lambda p: _(
        "Write what the measure %(value)s computes, such as sum(hours).", value=p.get("value")
    ),
    "builder_chart_type": lambda p: _(
        "%(value)s is not a chart type: %(choices)s.",
        value=p.get("value"),
        choices=p.get("choices"),
    ),
    "builder_chart_axis_missing": lambda p: _("Choose what the chart draws on this axis."),
}
EDITS.update(REPORTS)  # said with the other builder codes

BAD_INPUT: dict[str, Callable[[Params], str]] = {
    "builder_field_reserved": lambda p: _(
        "%(value)s is a name the system keeps for every record (its id, number, state, owner, "
        "dates): choose another id.",
        value=p.get("value"),
    ),
}
EDITS.update(BAD_INPUT)  # said with the other builder codes
