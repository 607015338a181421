"""Messages, in the reader's language, of the codes in engine/codes_workflow.py.

The engine's English names the close match it guessed (`hint`) and the sentence of a shared
helper (`detail`); these messages name the value and what would be right instead, so a
reader of another language gets whole sentences of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

WORKFLOW: dict[str, Callable[[Params], str]] = {
    "role_undeclared": lambda p: _(
        "Role %(role)s is not declared by the pack (declared roles: %(roles)s; admin is built in).",
        role=p.get("role"),
        roles=p.get("roles"),
    ),
    "recipient_unknown_field": lambda p: _(
        "%(what)s names an unknown field %(field)s.", what=p.get("what"), field=p.get("field")
    ),
    "recipient_not_a_user": lambda p: _(
        "%(what)s must name a user field; %(field)s is not one (user fields: %(fields)s).",
        what=p.get("what"),
        field=p.get("field"),
        fields=p.get("fields"),
    ),
    "unknown_state": lambda p: _(
        "%(state)s is not a state of %(module)s (states: %(states)s).",
        state=p.get("state"),
        module=p.get("module"),
        states=p.get("states"),
    ),
    "transition_id_twice": lambda p: _(
        "Transition id %(transition)s is used more than once in %(module)s.",
        transition=p.get("transition"),
        module=p.get("module"),
    ),
    "transition_from_final": lambda p: _(
        "%(state)s is a final state: no transition may leave it.", state=p.get("state")
    ),
    "requires_unknown_field": lambda p: _(
        "Transition %(transition)s requires an unknown field %(field)s.",
        transition=p.get("transition"),
        field=p.get("field"),
    ),
    "withdraw_with_approval": lambda p: _(
        "Withdrawal %(transition)s cannot also be a vote (approval).",
        transition=p.get("transition"),
    ),
    "editable_not_readonly": lambda p: _(
        "State %(state)s has editable fields but is not read-only.", state=p.get("state")
    ),
    "editable_unknown_field": lambda p: _(
        "The editable fields name an unknown field %(field)s.", field=p.get("field")
    ),
    "editable_computed": lambda p: _(
        "%(field)s is computed and cannot be editable.", field=p.get("field")
    ),
    "quorum_out_of_range": lambda p: _(
        "Quorum %(value)s must be a share from 1%% to 100%%.", value=p.get("value")
    ),
    "on_due_without_due": lambda p: _(
        "State %(state)s has on_due but no due time (such as P2D).", state=p.get("state")
    ),
    "on_due_unknown_transition": lambda p: _(
        "on_due %(transition)s is not a transition of %(module)s (transitions: %(transitions)s).",
        transition=p.get("transition"),
        module=p.get("module"),
        transitions=p.get("transitions"),
    ),
    "due_unknown_field": lambda p: _(
        "State %(state)s is due on %(field)s, which is not a field of the module.",
        state=p.get("state"),
        field=p.get("field"),
    ),
    "due_field_not_stored": lambda p: _(
        "State %(state)s is due on %(field)s, which is computed when read (today(), a rollup); "
        "name a stored date field.",
        state=p.get("state"),
        field=p.get("field"),
    ),
    "due_field_not_date": lambda p: _(
        "State %(state)s is due on %(field)s, a %(kind)s field; name a date or date-time field.",
        state=p.get("state"),
        field=p.get("field"),
        kind=p.get("kind"),
    ),
    "on_due_wrong_state": lambda p: _(
        "on_due %(transition)s cannot fire from %(state)s: it starts from %(sources)s.",
        transition=p.get("transition"),
        state=p.get("state"),
        sources=p.get("sources"),
    ),
    "state_unreachable": lambda p: _(
        "State %(state)s of %(module)s cannot be reached: no chain of transitions leads to it "
        "from the initial state. Add a transition into it or remove it.",
        state=p.get("state"),
        module=p.get("module"),
    ),
}

MIGRATE: dict[str, Callable[[Params], str]] = {
    "migrate_without_workflow": lambda p: _(
        "%(module)s has no workflow, so there are no states to move records to.",
        module=p.get("module"),
    ),
    "migrate_state_kept": lambda p: _(
        "%(state)s is still a state of %(module)s; migrate.states only moves records out of "
        "removed states.",
        state=p.get("state"),
        module=p.get("module"),
    ),
    "migrate_default_unknown_field": lambda p: _(
        "migrate.defaults names an unknown field %(field)s.", field=p.get("field")
    ),
    "migrate_default_computed": lambda p: _(
        "%(field)s is computed; it needs no default.", field=p.get("field")
    ),
    "migrate_default_invalid": lambda p: _(
        "%(value)s is not a valid value of %(field)s: %(detail)s",
        value=p.get("value"),
        field=p.get("field"),
        detail=p.get("detail"),
    ),
    "drop_still_a_field": lambda p: _(
        "migrate.drop lists %(field)s, which is still a field of %(module)s.",
        field=p.get("field"),
        module=p.get("module"),
    ),
}

SEED: dict[str, Callable[[Params], str]] = {
    "seed_unknown_module": lambda p: _(
        "The seed names %(module)s, which is not a module of this pack (modules: %(modules)s).",
        module=p.get("module"),
        modules=p.get("modules"),
    ),
    "seed_key_twice": lambda p: _(
        "$key %(key)s is already used by a seed record of %(module)s; keys are unique across "
        "the whole seed.",
        key=p.get("key"),
        module=p.get("module"),
    ),
    "seed_state_without_workflow": lambda p: _(
        "%(module)s has no workflow, so a seed record has no $state.", module=p.get("module")
    ),
    "seed_unknown_state": lambda p: _(
        "$state %(state)s is not a state of %(module)s (states: %(states)s).",
        state=p.get("state"),
        module=p.get("module"),
        states=p.get("states"),
    ),
    "seed_unknown_field": lambda p: _(
        "The seed record names an unknown field %(field)s.", field=p.get("field")
    ),
    "seed_computed_field": lambda p: _(
        "%(field)s is computed; leave it out of seed records.", field=p.get("field")
    ),
    "seed_value_invalid": lambda p: _(
        "%(value)s is not a valid value of %(field)s: %(detail)s",
        value=p.get("value"),
        field=p.get("field"),
        detail=p.get("detail"),
    ),
    "seed_required_missing": lambda p: _(
        "The seed record of %(module)s lacks the required field %(field)s.",
        module=p.get("module"),
        field=p.get("field"),
    ),
    "seed_link_shape": lambda p: _(
        'A link in seed data is written {"$seed": "<key>"} naming a seed record of %(module)s, '
        "not %(value)s.",
        module=p.get("module"),
        value=p.get("value"),
    ),
    "seed_link_unknown_key": lambda p: _(
        "No seed record of %(module)s has $key %(key)s (keys: %(keys)s).",
        module=p.get("module"),
        key=p.get("key"),
        keys=p.get("keys"),
    ),
    "seed_link_wrong_module": lambda p: _(
        "$key %(key)s is a seed record of %(other)s, but %(field)s links to %(module)s.",
        key=p.get("key"),
        other=p.get("other"),
        field=p.get("field"),
        module=p.get("module"),
    ),
    "seed_link_later": lambda p: _(
        "$key %(key)s is created after this record; seed records are created in the order "
        "written, so put the %(module)s record first.",
        key=p.get("key"),
        module=p.get("module"),
    ),
    "seed_match_shape": lambda p: _(
        '$match names the one %(module)s record with given values: {"$match": {"<field>": '
        "<value>}} with at least one field and plain values, not %(value)s.",
        module=p.get("module"),
        value=p.get("value"),
    ),
    "seed_match_unknown_field": lambda p: _(
        "$match compares stored fields, and %(field)s is not one of %(module)s.",
        field=p.get("field"),
        module=p.get("module"),
    ),
    "seed_match_none": lambda p: _(
        "No %(module)s record has %(match)s; install the pack that seeds it first.",
        module=p.get("module"),
        match=p.get("match"),
    ),
    "seed_match_many": lambda p: _(
        "More than one %(module)s record has %(match)s; $match must name exactly one.",
        module=p.get("module"),
        match=p.get("match"),
    ),
    "seed_fill_own_module": lambda p: _(
        "A seed record with $match fills fields a pack adds to another pack's records; "
        "%(module)s is this pack's own module: seed the record itself.",
        module=p.get("module"),
    ),
    "seed_fill_shape": lambda p: _(
        "A seed record with $match fills existing %(module)s records; %(key)s has no place in it.",
        module=p.get("module"),
        key=p.get("key"),
    ),
    "seed_fill_not_added": lambda p: _(
        "A seed record with $match fills only the stored fields this pack adds to %(module)s "
        "(%(fields)s), not %(field)s.",
        module=p.get("module"),
        fields=p.get("fields"),
        field=p.get("field"),
    ),
}

RECORDS: dict[str, Callable[[Params], str]] = {
    "unknown_record": lambda p: _(
        "There is no %(module)s record %(record)s.", module=p.get("module"), record=p.get("record")
    ),
    "no_attachment_field": lambda p: _(
        "Module %(module)s has no attachment field %(field)s.",
        module=p.get("module"),
        field=p.get("field"),
    ),
    "state_set_by_system": lambda p: _("Only the system places records directly in a state."),
}

CHECKS: dict[str, Callable[[Params], str]] = {**WORKFLOW, **MIGRATE, **SEED, **RECORDS}
