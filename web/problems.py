"""Each problem code of the engine as a sentence in the reader's language.

The engine says what went wrong as `(path, code, params)` (engine/codes.py). Here each code
has one gettext message, made from its params, the way marshmallow keeps one message per
error key: no wording of the engine, jsonschema or marshmallow is ever parsed. Pages show
these beside the field; the API answers them in the caller's language. A code without an
entry here fails tests/web/test_problem_codes.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from engine.attachments import size_text
from engine.errors import Problem
from web import (
    problems_builder,
    problems_builder_expr,
    problems_builder_views,
    problems_child_rows,
    problems_comments,
    problems_computable,
    problems_create_from,
    problems_dashboards,
    problems_diagram,
    problems_expressions,
    problems_extends,
    problems_fields,
    problems_imports,
    problems_notifications,
    problems_packs,
    problems_people,
    problems_report_sources,
    problems_reports,
    problems_rollup_match,
    problems_row_links,
    problems_rules,
    problems_unique,
    problems_workflow,
)

Params = Mapping[str, Any]


def _words(params: Params) -> dict[str, str]:
    """Params named in sentences that are words of ours, in the reader's language."""
    words = {
        "read-only": _("read-only"),
        "final": _("final"),
        "rows": _("rows"),
        "values": _("values"),
    }
    return {k: words.get(v, v) for k, v in params.items() if isinstance(v, str)}


def _size(params: Params) -> str:
    return size_text(int(params.get("limit") or 0))


VALUES: dict[str, Callable[[Params], str]] = {
    "print_failed": lambda p: _(
        "The print %(print)s could not be rendered: %(detail)s",
        print=p.get("print"),
        detail=p.get("detail"),
    ),
    "print_too_large": lambda p: _(
        "The print %(print)s asks for more work or output than a print may take.",
        print=p.get("print"),
    ),
    "invalid": lambda p: str(p.get("detail", "")),  # a sentence of its own, as it was said
    "required": lambda p: _("This field is required."),
    "not_an_object": lambda p: _("The form could not be read."),
    "not_a_list": lambda p: _("Expected a list."),
    "not_a_number": lambda p: _("Enter a number."),
    "not_an_integer": lambda p: _("Enter a whole number."),
    "not_a_date": lambda p: _("Enter a date (YYYY-MM-DD)."),
    "not_a_datetime": lambda p: _("Enter a date and time."),
    "not_a_boolean": lambda p: _("Choose yes or no."),
    "not_text": lambda p: _("Enter text."),
    "nul_character": lambda p: _("Text cannot contain a NUL character."),
    "decimal_places": lambda p: _("Use at most %(n)s decimal places.", n=p.get("scale")),
    "too_large": lambda p: _("This number is too large."),
    "not_a_choice": lambda p: _("Choose one of the listed values."),
    "duplicate_choice": lambda p: _("A value is chosen twice."),
    "unknown_field": lambda p: _("This field is not part of the form."),
    "system_field": lambda p: _("This value is set by the system."),
    "computed_field": lambda p: _("This value is computed and cannot be entered."),
    "read_only_field": lambda p: _("This field is read-only."),
    "field_not_writable": lambda p: _("You may not change this field."),
    "no_linked_record": lambda p: _("The linked record does not exist."),
    "no_active_user": lambda p: _("There is no active user of this name."),
    "not_granted": lambda p: _("Choose one of the records granted to you."),
    "not_uploaded": lambda p: _("Upload the file for this field first."),
    "upload_changed": lambda p: _("Upload the file for this field first."),
    "cannot_compute": lambda p: (
        _(
            "This value cannot be computed: %(detail)s",
            detail=problems_expressions.expression_detail(p),
        )
        if "expression_code" in p
        else _("This value cannot be computed.")
    ),
    "too_many_characters": lambda p: _("Use at most %(n)s characters.", n=p.get("limit")),
    "unknown_operator": lambda p: _("This way of filtering is unknown."),
    "not_filterable": lambda p: _("This field cannot be filtered."),
    "operator_not_applicable": lambda p: _("This way of filtering does not apply to this field."),
    "between_two_values": lambda p: _("Give two values: from and to."),
    "in_values": lambda p: _("Choose 1 to %(n)s values.", n=p.get("limit")),
    "needs_value": lambda p: _("Enter a value to compare with."),
    "out_of_range": lambda p: _(
        "Enter a number from %(low)s to %(high)s.", low=p.get("low"), high=p.get("high")
    ),
    "too_many_filters": lambda p: _("Use at most %(n)s filters.", n=p.get("limit")),
    "filter_syntax": lambda p: _("This filter could not be read."),
    "not_sortable": lambda p: _("The list cannot be sorted by this field."),
    "upload_empty": lambda p: _("The file is empty."),
    "upload_accept": lambda p: _(
        "This kind of file is not accepted here (allowed: %(kinds)s).", kinds=p.get("kinds")
    ),
    "upload_too_large": lambda p: _("The file is larger than %(limit)s.", limit=_size(p)),
    "sign_in_to_upload": lambda p: _("Sign in to upload files."),
    "idempotency_key_invalid": lambda p: _("The Idempotency-Key header is not valid."),
    "idempotency_key_reused": lambda p: _("This Idempotency-Key was used for another request."),
    "lone_surrogate": lambda p: _("Text cannot contain this character."),
    "key_nul_character": lambda p: _("Text cannot contain a NUL character."),
    "key_lone_surrogate": lambda p: _("Text cannot contain this character."),
    "unknown_key": lambda p: _("This key is not accepted here."),
    "body_not_object": lambda p: _("The body must be a JSON object."),
    "batch_item_shape": lambda p: _("Each item is a record's data, or its id, version and data."),
    "record_id_invalid": lambda p: _("This is not a record id."),
    "version_without_id": lambda p: _("A new record has no version; give its id."),
    "too_few_characters": lambda p: _("Use at least %(n)s characters.", n=p.get("limit")),
    "user_exists": lambda p: _("A user of this name already exists."),
    "user_deactivated": lambda p: _("This user is deactivated."),
    "invalid_user_name": lambda p: _(
        "Use 2 to 64 lowercase letters, digits and . _ - @, starting with a letter or digit."
    ),
    "role_id_padded": lambda p: _("A role id cannot be empty or begin or end with spaces."),
    "unknown_role": lambda p: _(
        "No installed pack declares the role %(role)s.", role=p.get("role")
    ),
    "wrong_password": lambda p: _("The current password is wrong."),
    "passwords_differ": lambda p: _("The two new passwords differ."),
    "own_account": lambda p: _("You cannot do this to your own account."),
    "scope_module": lambda p: _("No role is scoped by this module."),
    "version_required": lambda p: _("The record's version is required."),
    "not_a_version": lambda p: _("This is not a record version (1, 2, ...)."),
    "dependency_cycle": lambda p: _(
        "The predecessors make a circle: %(cycle)s. Remove one of them.", cycle=p.get("cycle")
    ),
}

SCHEMA: dict[str, Callable[[Params], str]] = {
    "minimum": lambda p: _("Enter at least %(n)s.", n=p.get("limit")),
    "maximum": lambda p: _("Enter at most %(n)s.", n=p.get("limit")),
    "exclusiveMinimum": lambda p: _("Enter more than %(n)s.", n=p.get("limit")),
    "exclusiveMaximum": lambda p: _("Enter less than %(n)s.", n=p.get("limit")),
    "minLength": lambda p: _("This text is too short."),
    "maxLength": lambda p: _("This text is too long."),
    "minItems": lambda p: _("Add at least %(n)s rows.", n=p.get("limit")),
    "maxItems": lambda p: _("Enter at most %(n)s rows.", n=p.get("limit")),
    "pattern": lambda p: _("This value does not have the expected form."),
    "format": lambda p: _("Enter a valid date."),
    "enum": lambda p: _("Choose one of the listed values."),
    "const": lambda p: _("This value is not accepted."),
    "type": lambda p: _("This value is not accepted."),
    "multipleOf": lambda p: _("Enter a multiple of %(n)s.", n=p.get("limit")),
    "uniqueItems": lambda p: _("A value is chosen twice."),
    "schema": lambda p: _("This value is not accepted."),
}

REFUSALS: dict[str, Callable[[Params], str]] = {
    "not_found": lambda p: _(
        "This page or record does not exist, or you do not have access to it."
    ),
    "not_allowed": lambda p: _("Your role does not allow this."),
    "conflict": lambda p: _("Someone changed this record meanwhile. Look at it again and retry."),
    "refused": lambda p: _("This step is not possible now."),
    "record_not_allowed": lambda p: _("Your role does not allow this."),
    "create_not_allowed": lambda p: _("Your role does not allow this."),
    "admin_only": lambda p: _("Only an administrator may do this."),
    "export_not_allowed": lambda p: _("Your role does not allow exporting this module."),
    "idempotency_key_unclaimed": lambda p: _("This Idempotency-Key was not claimed."),
    "idempotency_key_running": lambda p: _(
        "A request with this Idempotency-Key is still running; retry shortly."
    ),
    "stale_version": lambda p: _(
        "Someone changed this record meanwhile. Look at it again and retry."
    ),
    "changed_meanwhile": lambda p: _(
        "Someone changed this record meanwhile. Look at it again and retry."
    ),
    "state_locked": lambda p: _("The record is in the %(lock)s state %(state)s.", **_words(p)),
    "state_fields_locked": lambda p: _(
        "In the %(lock)s state %(state)s only %(editable)s may change.", **_words(p)
    ),
    "wrong_state": lambda p: _("The record has moved on to another state; reload it."),
    "owner_only": lambda p: _("Only the record's owner may do this."),
    "votes_cast": lambda p: _("Votes have already been cast."),
    "role_required": lambda p: _("Your role does not allow this."),
    "missing_fields": lambda p: _("Fill in these fields first: %(fields)s", fields=p.get("fields")),
    "guard_failed": lambda p: _("The record does not meet the condition for this step yet."),
    "guard_error": lambda p: _("The record does not meet the condition for this step yet."),
    "owner_may_not_approve": lambda p: _("You cannot approve your own record."),
    "already_voted": lambda p: _("You have already voted."),
    "not_approver": lambda p: _("You are not an approver of this record."),
    "comment_required": lambda p: _("A comment is required."),
    "comment_not_allowed": lambda p: _("This step takes no comment."),
    "no_workflow": lambda p: _("This module has no workflow."),
    "unknown_transition": lambda p: _("This step does not exist."),
    "not_an_approval": lambda p: _("This step is not an approval."),
    "approval_closed": lambda p: _("The approval is not open in this state."),
    "already_approver": lambda p: _("%(user)s is already an approver.", user=p.get("user")),
    "approver_cannot_read": lambda p: _("%(user)s cannot see this record.", user=p.get("user")),
}

WEBHOOKS: dict[str, Callable[[Params], str]] = {
    "url_required": lambda p: _("Enter the URL to deliver to."),
    "url_scheme": lambda p: _("A webhook URL starts with http:// or https://."),
    "url_no_host": lambda p: _("A webhook URL names a host."),
    "url_port": lambda p: _("The URL's port is not a number from 1 to 65535."),
    "url_too_long": lambda p: _("A webhook URL has at most %(n)s characters.", n=p.get("limit")),
    "url_credentials": lambda p: _("A webhook URL carries no user name or password."),
    "host_unresolved": lambda p: _("The host %(host)s cannot be resolved.", host=p.get("host")),
    "private_address": lambda p: _(
        "%(host)s is %(address)s, a loopback, private or link-local address; "
        "register the webhook with allow_private to send there.",
        host=p.get("host"),
        address=p.get("address"),
    ),
    "events_required": lambda p: _("Name at least one of %(events)s.", events=p.get("events")),
    "event_list_required": lambda p: _("A list of event names is required."),
    "unknown_event": lambda p: _(
        "Unknown event %(event)s; use %(events)s.", event=p.get("event"), events=p.get("events")
    ),
    "module_or_null": lambda p: _("Give a module id, or null for every module."),
    "no_module": lambda p: _("No module %(module)s is installed.", module=p.get("module")),
}

NOT_FOUND: dict[str, Callable[[Params], str]] = {
    "unknown_module": lambda p: _(
        "There is no module %(module)s, or you do not have access to it.", module=p.get("module")
    ),
    "unknown_report": lambda p: _(
        "There is no report %(report)s, or you do not have access to it.", report=p.get("report")
    ),
    "unknown_print": lambda p: _(
        "Module %(module)s has no print %(print)s.", module=p.get("module"), print=p.get("print")
    ),
    "unknown_pack": lambda p: _("No pack %(pack)s is installed.", pack=p.get("pack")),
    "unknown_pack_version": lambda p: _(
        "Pack %(pack)s has never had version %(version)s.",
        pack=p.get("pack"),
        version=p.get("version"),
    ),
    "unknown_user": lambda p: _("There is no user named %(name)s.", name=p.get("name")),
    "unknown_token": lambda p: _("There is no API token with id %(id)s.", id=p.get("id")),
    "unknown_webhook": lambda p: _("There is no webhook with id %(id)s.", id=p.get("id")),
    "unknown_webhook_event": lambda p: _(
        "Webhook %(id)s has no event %(event)s.", id=p.get("id"), event=p.get("event")
    ),
    "unknown_id": lambda p: _(
        "This page or record does not exist, or you do not have access to it."
    ),
}

TEXTS: dict[str, Callable[[Params], str]] = {
    **VALUES,
    **SCHEMA,
    **REFUSALS,
    **problems_packs.PACKS,
    **problems_fields.CHECKS,
    **problems_workflow.CHECKS,
    **problems_rules.REFUSALS,
    **problems_rules.CHECKS,
    **problems_expressions.CHECKS,
    **problems_diagram.CHECKS,
    **problems_dashboards.CHECKS,
    **problems_reports.CHECKS,
    **problems_report_sources.CHECKS,
    **problems_builder_expr.CHECKS,
    **problems_builder.EDITS,
    **problems_builder_views.VIEWS,
    **problems_computable.CHECKS,
    **problems_computable.VALUES,
    **problems_unique.CODES,
    **problems_create_from.CODES,
    **problems_extends.CODES,
    **problems_child_rows.CODES,
    **problems_people.CODES,
    **problems_imports.CODES,
    **problems_notifications.CODES,
    **problems_comments.CODES,
    **problems_row_links.CODES,
    **problems_rollup_match.CODES,
    **WEBHOOKS,
    **NOT_FOUND,
}


def problem_message(problem: Problem) -> str:
    """The problem in the language of the request (its engine sentence if the code is new)."""
    text = TEXTS.get(problem.code)
    return text(problem.params) if text is not None else problem.message


def problem_dicts(problems: Iterable[Problem], locale: str) -> list[dict[str, Any]]:
    """`{"path", "code", "message"}` of each problem, the message in `locale`.

    English readers get the engine's own sentence, which names the value refused; other
    languages get the translated message of the code.
    """
    if locale.startswith("en"):
        return [p.as_dict() for p in problems]
    with force_locale(locale):
        return [{**p.as_dict(), "message": problem_message(p)} for p in problems]
