"""The machine keys of every problem and refusal, each with its English sentence.

A problem is `(path, code, params)`, the way jsonschema keeps `error.validator` beside its
message and marshmallow raises `make_error("invalid")` from a `default_error_messages` table.
This table is the engine's own wording (the command line, logs and the API's English);
web/ renders the same code and params in the reader's language. A code is a JSON Schema
keyword for schema constraints (`minimum`, `maxLength`, ...) or the engine's reason
(`wrong_state`, `not_approver`, ...). Adding a code here without a translation in web/
fails a test.
"""

from __future__ import annotations

from engine import (
    codes_builder,
    codes_builder_expr,
    codes_child_rows,
    codes_comments,
    codes_computable,
    codes_create_from,
    codes_dashboards,
    codes_diagram,
    codes_expressions,
    codes_extends,
    codes_fields,
    codes_imports,
    codes_notifications,
    codes_people,
    codes_report_sources,
    codes_reports,
    codes_rollup_match,
    codes_row_links,
    codes_rules,
    codes_unique,
    codes_workflow,
)

# Validation of record data, filters and queries.
VALUES: dict[str, str] = {
    "invalid": "{detail}",
    "print_failed": "print {print!r} could not be rendered: {detail}",
    "print_too_large": "print {print!r} asks for more work or output than a print may take",
    "required": "{field!r} is required",
    "not_an_object": "record data must be an object",
    "not_a_list": "Expected a list of {items}.",
    "not_a_number": "Not a valid number.",
    "not_an_integer": "Not a valid integer.",
    "not_a_date": "Not a valid date.",
    "not_a_datetime": "Not a valid datetime.",
    "not_a_boolean": "Not a valid boolean.",
    "not_text": "Not a valid string.",
    "nul_character": "contains a NUL character (U+0000), which text cannot hold",
    "decimal_places": "{value} has more than {scale} decimal places.",
    "too_large": "{value} is too large.",
    "not_a_choice": "{value!r} is not one of {choices}.",
    "duplicate_choice": "{value!r} is given twice.",
    "unknown_field": "unknown field {field!r}",
    "system_field": "{field!r} is a system value and cannot be written",
    "computed_field": "{field!r} is computed and cannot be written",
    "read_only_field": "{field!r} is read-only",
    "field_not_writable": "you may not write {field!r}",
    "no_linked_record": "no {module} record with id {value!r}",
    "no_active_user": "no active user named {value!r}",
    "not_granted": "choose a {module} record granted to you: you may not {action} records outside them",
    "not_uploaded": "not a file you uploaded for this field: upload the file first",
    "upload_changed": "the file's name, type or size differ from the upload: send its reference unchanged",
    "cannot_compute": "cannot compute: {detail}",
    "too_many_characters": "at most {limit} characters",
    "unknown_operator": "unknown operator {op!r}; use one of {operators}",
    "not_filterable": "{field!r} is not a field you can filter on",
    "operator_not_applicable": "{op!r} does not apply to {kind}; use {operators}",
    "between_two_values": "between takes two values: low,high",
    "in_values": "'in' takes 1 to {limit} values",
    "needs_value": "{op!r} needs a value to compare with",
    "out_of_range": "must be between {low} and {high}",
    "too_many_filters": "at most {limit} filters",
    "filter_syntax": "filters look like filter[field]=value or filter[field][op]=value",
    "not_sortable": "cannot sort by {field!r}",
    "upload_empty": "the file is empty",
    "upload_accept": "files of this kind are not accepted here (allowed: {kinds})",
    "upload_too_large": "the file is larger than {limit} bytes",
    "sign_in_to_upload": "only a signed-in user may upload files",
    "idempotency_key_invalid": "the {header} header must be 1 to 255 visible ASCII characters",
    "idempotency_key_reused": (
        "this {header} was already used for a different request; use a new key for a new request"
    ),
    "lone_surrogate": "contains a lone surrogate, which is not a character",
    "key_nul_character": "the key contains a NUL character (U+0000), which text cannot hold",
    "key_lone_surrogate": "the key contains a lone surrogate, which is not a character",
    "unknown_key": "unknown key {key!r}",
    "body_not_object": "the body must be a JSON object",
    "batch_item_shape": 'an item is {{"data": {{...}}}} or {{"id", "version", "data"}}',
    "record_id_invalid": "a record id is a non-empty string",
    "version_without_id": "a new record has no version; give its id",
    "too_few_characters": "must be at least {limit} characters",
    "user_exists": "a user named {name!r} already exists",
    "user_deactivated": "user {name!r} is deactivated",
    "invalid_user_name": (
        "{name!r} is not a valid user name: use 2 to 64 lowercase letters, digits and . _ - @, "
        "starting with a letter or digit"
    ),
    "role_id_padded": "a role id cannot be empty or padded",
    "unknown_role": "no installed pack declares the role {role!r}",
    "wrong_password": "the current password is wrong",
    "passwords_differ": "the two new passwords differ",
    "own_account": "you cannot {action} your own account",
    "scope_module": "no role is scoped by {module!r}: choose a module a role's scope links to",
    "version_required": "the record's version is required",
    "not_a_version": "{value} is not a record version (1, 2, ...)",
    "dependency_cycle": "the predecessors make a circle: {cycle}; remove one of them",
}

# The JSON Schema keywords a record schema may break (jsonschema's `error.validator`).
SCHEMA: dict[str, str] = {
    "minimum": "{value} is less than the minimum of {limit}",
    "maximum": "{value} is greater than the maximum of {limit}",
    "exclusiveMinimum": "{value} is less than or equal to the minimum of {limit}",
    "exclusiveMaximum": "{value} is greater than or equal to the maximum of {limit}",
    "minLength": "{value!r} is too short",
    "maxLength": "{value!r} is too long",
    "minItems": "at least {limit} rows are needed",
    "maxItems": "at most {limit} rows are allowed",
    "pattern": "{value!r} does not match {limit!r}",
    "format": "{value!r} is not a {limit!r}",
    "enum": "{value!r} is not one of the allowed values",
    "const": "{value!r} is not the allowed value",
    "type": "{value!r} is not of type {limit!r}",
    "multipleOf": "{value} is not a multiple of {limit}",
    "uniqueItems": "the rows are not unique",
    "schema": "{detail}",
}

# Why an action on a record was refused (one exception class each in engine/errors.py).
REFUSALS: dict[str, str] = {
    "not_found": "{detail}",
    "not_allowed": "{detail}",
    "conflict": "{detail}",
    "refused": "{detail}",
    "record_not_allowed": "you may not {action} this {module} record",
    "create_not_allowed": "you may not create records in {module!r}",
    "admin_only": "only an administrator may do this",
    "export_not_allowed": "you may not export {module!r}",
    "idempotency_key_unclaimed": "the {header} {key!r} was not claimed",
    "idempotency_key_running": (
        "another request with this {header} is running: retry shortly to get its answer"
    ),
    "stale_version": "record {record} is at version {version}, not {given}: reload it",
    "changed_meanwhile": "record {record} was changed by someone else: reload it",
    "state_locked": "the record is in the {lock} state {state!r}",
    "state_fields_locked": (
        "the record is in the {lock} state {state!r}, where only {editable} may change, "
        "not {fields}"
    ),
    "wrong_state": "the record is in state {state!r}; {transition!r} applies from {sources}",
    "owner_only": "only the record's owner may do this",
    "votes_cast": "votes have already been cast",
    "role_required": "needs one of the roles {roles}",
    "missing_fields": "these fields need a value first: {fields}",
    "guard_failed": "the condition for this step is not met",
    "guard_error": "its condition cannot be checked: {detail}",
    "owner_may_not_approve": "the owner may not approve their own record",
    "already_voted": "you have already voted",
    "not_approver": "you are not an approver of this record",
    "comment_required": "a comment is required",
    "comment_not_allowed": "this transition takes no comment",
    "no_workflow": "module {module!r} has no workflow",
    "unknown_transition": "module {module!r} has no transition {transition!r}",
    "not_an_approval": "{transition!r} is not an approval",
    "approval_closed": "the approval is not open in this state",
    "already_approver": "{user} is already an approver",
    "approver_cannot_read": "{user} cannot read this record",
}

# Why a pack was refused before its checks could read it (text, JSON, meta-schema, names).
PACKS: dict[str, str] = {
    "pack_too_large": "pack is larger than {limit} bytes",
    "not_json": "not valid JSON: {detail}",
    "not_utf8": "pack is not UTF-8 text: {detail}",
    "too_deeply_nested": "pack JSON is nested too deeply",
    "pack_not_object": "a pack is a JSON object",
    "duplicate_key": (
        "{key!r} is written more than once in the same object; only the last would be kept"
    ),
    "module_id_too_long": "module id {module!r} is too long for a table name",
    "reserved_field_name": (
        "field name {field!r} is reserved for a system value; choose another name"
    ),
    "child_table_name_too_long": "child table name {table} is too long",
    "reserved_child_column": "column name {field!r} is reserved in child tables",
    "expression_unreadable": "cannot read {text!r}: {detail}",
    "unknown_function": "cannot read {text!r}: {detail}",
    "unknown_name": "in {text!r}: {detail}",
    "type_clash": "in {text!r}: {detail}",
    "aggregate_required": (
        "{text!r} must be an aggregate such as count(), sum(x), avg(x), min(x) or max(x)"
    ),
    "aggregate_forbidden": "{text!r} must not aggregate ({functions}): it is computed per record",
    "module_taken": "module id {module!r} already belongs to pack {pack!r}",
    "version_unchanged": "version {version} is installed with other content; raise the version",
    "version_older": "version {version} is older than the installed {installed}",
    "seed_key_undefined": "seed key {key!r} is used before it is defined",
    "field_removed_with_values": (
        "field {field!r} is removed but {count} records hold a value; "
        "list it in migrate.drop to discard them"
    ),
    "field_change_with_values": (
        "field {field!r} changes from {old} to {new} (scale {old_scale} → {new_scale}) "
        "but {count} records hold a value"
    ),
    "choices_removed_in_use": "values {values} are removed but {count} records use them",
    "required_without_default": (
        "new required field {field!r} has no default but {count} records have no value; "
        "give it a default or migrate.defaults"
    ),
    "state_removed_in_use": (
        "state {state!r} is removed but {count} records are in it ({records}); "
        "map it in migrate.states"
    ),
    "module_removed_with_records": "module {module!r} is removed but holds {count} records",
    "role_built_in": "role {role!r} is built in; do not declare it",
    "role_declared_twice": "role id {role!r} is declared more than once",
    "module_id_twice": "module id {module!r} is used twice (also at {other})",
    "module_id_installed": (
        "module id {module!r} already belongs to another installed pack; "
        "module ids are unique across packs"
    ),
    "id_line_break": "{value!r} ends with a line break; ids are letters, digits and _ only",
    "print_id_twice": "print id {print!r} is used more than once in {module}",
    "template_unreadable": "the template cannot be read at line {line}: {detail}",
    "formula_cycle": "computed values depend on each other in a cycle: {cycle}",
    "clock_in_database": (
        "{what} uses today() or now(), which the database cannot compute; "
        "compare with a stored date instead"
    ),
    "read_time_in_database": (
        "{what} reads {name}, which is computed when read ({detail}), "
        "so the database cannot filter, sort, total or group by it"
    ),
    "permission_unknown_field": "permission fields: {detail}",
    "scope_unknown_field": "scope: {detail}",
    "report_id_twice": "report id {report!r} is used more than once",
    "report_unknown_module": (
        "report {report!r} reads module {module!r}, which is neither in this pack nor installed{hint}"
    ),
    "chart_not_grouped": "chart {key} {value!r} must be one of the report's group_by: {fields}",
    "chart_not_a_measure": "chart y {value!r} must name a measure{hint}: {fields}",
    "scope_not_a_link": (
        "scope limits rows by a link field; {field!r} is {kind}; link fields of {module}: {fields}"
    ),
}

# Why a webhook registration was refused.
WEBHOOKS: dict[str, str] = {
    "url_required": "the URL to deliver to is required",
    "url_scheme": "a webhook URL starts with http:// or https://",
    "url_no_host": "a webhook URL names a host",
    "url_port": "the URL's port is not a number from 1 to 65535",
    "url_too_long": "a webhook URL has at most {limit} characters",
    "url_credentials": "a webhook URL carries no user name or password",
    "host_unresolved": "the host {host!r} cannot be resolved ({detail})",
    "private_address": (
        "{host} is {address}, a loopback, private or link-local address; "
        "register the webhook with allow_private to send there"
    ),
    "events_required": "name at least one of {events}",
    "event_list_required": "a list of event names is required",
    "unknown_event": "unknown event {event!r}; use {events}",
    "module_or_null": "a module id, or null for every module",
    "no_module": "no installed module {module!r}",
}

# What was asked for and is not there (or not for this caller: the two are never told apart).
NOT_FOUND: dict[str, str] = {
    "unknown_module": "no module {module!r}",
    "unknown_report": "no report {report!r}",
    "unknown_print": "module {module!r} has no print {print!r}",
    "unknown_pack": "no installed pack {pack!r}",
    "unknown_pack_version": "pack {pack!r} has never had version {version!r}",
    "unknown_user": "no user named {name!r}",
    "unknown_token": "no API token with id {id}",
    "unknown_webhook": "no webhook with id {id}",
    "unknown_webhook_event": "webhook {id} has no event {event}",
    "unknown_id": "no such id",
}

MESSAGES: dict[str, str] = {
    **VALUES,
    **SCHEMA,
    **REFUSALS,
    **PACKS,
    **codes_fields.CHECKS,
    **codes_workflow.CHECKS,
    **codes_rules.REFUSALS,
    **codes_rules.CHECKS,
    **codes_expressions.CHECKS,
    **codes_diagram.CHECKS,
    **codes_dashboards.CHECKS,
    **codes_reports.CHECKS,
    **codes_report_sources.CHECKS,
    **codes_builder_expr.CHECKS,
    **codes_builder.EDITS,
    **codes_computable.CHECKS,
    **codes_computable.VALUES,
    **codes_unique.CODES,
    **codes_extends.CODES,
    **codes_create_from.CODES,
    **codes_child_rows.CODES,
    **codes_people.CODES,
    **codes_imports.CODES,
    **codes_notifications.CODES,
    **codes_comments.CODES,
    **codes_row_links.CODES,
    **codes_rollup_match.CODES,
    **WEBHOOKS,
    **NOT_FOUND,
}
