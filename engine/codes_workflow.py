"""Problem codes of the pack checks of engine/definitions/check_workflow.py and its neighbours.

Kept beside engine/codes.py (which merges them into MESSAGES) so each group of checks has
its own table of English sentences: the workflow, the state migrations of an upgrade and
the demo records (`seed`). `hint` is a " (did you mean 'x'?)" or nothing; `detail` is the
sentence of a shared helper (an unknown field, a value the field's schema refuses).
A few refusals of the record services, once bare sentences, sit here too.
"""

from __future__ import annotations

# A workflow: roles, recipients, states, transitions, approvals, due times, editable fields.
WORKFLOW: dict[str, str] = {
    "role_undeclared": (
        "{what} names role {role!r}, which the pack does not declare{hint}; "
        "declared roles: {roles} (admin is built in)"
    ),
    "recipient_unknown_field": "{what}: {detail}",
    "recipient_not_a_user": (
        '{what} must name a user field ("x-user": true); {field!r} is {kind}; '
        "user fields of {module}: {fields}"
    ),
    "unknown_state": "{what} {state!r} is not a state of {module}{hint}; states: {states}",
    "transition_id_twice": "transition id {transition!r} is used more than once in {module}",
    "transition_from_final": "{state!r} is a final state: no transition may leave it",
    "requires_unknown_field": "transition {transition!r} requires: {detail}",
    "withdraw_with_approval": "withdraw {transition!r} cannot also be a vote (approval)",
    "editable_not_readonly": "state {state!r} has editable fields but is not readonly",
    "editable_unknown_field": "editable: {detail}",
    "editable_computed": "editable: {field!r} is computed",
    "quorum_out_of_range": "quorum {value!r} must be a share from 1% to 100%",
    "on_due_without_due": 'state {state!r} has on_due but no due time (such as "P2D")',
    "due_unknown_field": "state {state!r}, due: {detail}",
    "due_field_not_stored": (
        "state {state!r} is due on {field!r}, which is computed when read (today(), a rollup); "
        "name a stored date field"
    ),
    "due_field_not_date": (
        "state {state!r} is due on {field!r}, a {kind} field; name a date or date-time field"
    ),
    "on_due_unknown_transition": (
        "on_due {transition!r} is not a transition of {module}{hint}; transitions: {transitions}"
    ),
    "on_due_wrong_state": (
        "on_due {transition!r} cannot fire from {state!r}: it starts from {sources}"
    ),
    "state_unreachable": (
        "state {state!r} of {module} cannot be reached: no chain of transitions leads to it "
        "from the initial state; add a transition into it or remove it"
    ),
}

# How an upgrade moves records: `migrate.states`, `migrate.defaults`, `migrate.drop`.
MIGRATE: dict[str, str] = {
    "migrate_without_workflow": (
        "{module} has no workflow, so there are no states to move records to"
    ),
    "migrate_state_kept": (
        "{state!r} is still a state of {module}; migrate.states only moves "
        "records out of removed states"
    ),
    "migrate_default_unknown_field": "migrate.defaults: {detail}",
    "migrate_default_computed": "{field!r} is computed; it needs no default",
    "migrate_default_invalid": "{value} is not a valid value of {field!r}: {detail}",
    "drop_still_a_field": "drop lists {field!r}, which is still a field of {module}",
}

# The pack's demo records: modules, `$key`, `$state`, fields, values and `{"$seed": key}` links.
SEED: dict[str, str] = {
    "seed_unknown_module": (
        "seed names {module!r}, which is not a module of this pack{hint}; modules: {modules}"
    ),
    "seed_key_twice": (
        "$key {key!r} is already used by a seed record of {module}; "
        "keys are unique across the whole seed"
    ),
    "seed_state_without_workflow": "{module} has no workflow, so a seed record has no $state",
    "seed_unknown_state": "$state {state!r} is not a state of {module}{hint}; states: {states}",
    "seed_unknown_field": "seed record: {detail}",
    "seed_computed_field": "{field!r} is computed; leave it out of seed records",
    "seed_value_invalid": "{value} is not a valid value of {field!r}: {detail}",
    "seed_required_missing": "seed record of {module} lacks the required field {field!r}",
    "seed_link_shape": (
        'a link in seed data is written {{"$seed": "<key>"}} naming a seed record of '
        '{module}, or {{"$match": {{"<field>": <value>}}}}, not {value}'
    ),
    "seed_link_unknown_key": "no seed record of {module} has $key {key!r}{hint}; keys: {keys}",
    "seed_link_wrong_module": (
        "$key {key!r} is a seed record of {other}, but {field!r} links to {module}"
    ),
    "seed_link_later": (
        "$key {key!r} is created after this record; seed records are created in the order "
        "written, so put the {module} record first"
    ),
    "seed_match_shape": (
        '$match names the one {module} record with given values: {{"$match": '
        '{{"<field>": <value>}}}} with at least one field and plain values, not {value}'
    ),
    "seed_match_unknown_field": (
        "$match compares stored fields, and {field!r} is not one of {module}{hint}"
    ),
    "seed_match_none": "no {module} record has {match}; install the pack that seeds it first",
    "seed_match_many": "more than one {module} record has {match}; $match must name exactly one",
    "seed_fill_own_module": (
        "a seed record with $match fills fields a pack adds to another pack's records; "
        "{module} is this pack's own module: seed the record itself"
    ),
    "seed_fill_shape": "a seed record with $match fills existing {module} records; {key} has no place in it",
    "seed_fill_not_added": (
        "a seed record with $match fills only the stored fields this pack adds to {module} "
        "({fields}), not {field!r}"
    ),
}

# Refusals of the record services that used to be bare sentences.
RECORDS: dict[str, str] = {
    "unknown_record": "no {module} record {record!r}",
    "no_attachment_field": "module {module!r} has no attachment field {field!r}",
    "state_set_by_system": "only the system places records directly in a state",
}

CHECKS: dict[str, str] = {**WORKFLOW, **MIGRATE, **SEED, **RECORDS}
