"""Posted form fields ⇄ record data, and the live preview of formulas and conditions.

The form names every input of a record value `d.<field>` (`d.items.0.hours` for a child
table cell); uploads are `f.<field>`; the page's own controls start with `_` (`_version`,
`_action`, `_state.<field>`, `_clear.<field>`, `_q.<field>`, `_rows.<table>`) or are `csrf_token`. Anything
else is a forged field and the whole request is refused. A `d.` key for a field the user
may not write is passed on, so the engine refuses it by name, exactly as through the API.

The preview computes what saving would compute, without saving: each value is coerced on
its own (a half-typed value does not stop the others), then the engine's own
`apply_formulas` and `hidden_by_condition` run on the copy, and `required_if` is evaluated
the same way the engine does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from werkzeug.datastructures import MultiDict

from engine.actor import Actor
from engine.definitions.model import Field, Module
from engine.errors import ExpressionError, ValidationFailed
from engine.expressions import truthy
from engine.records.coercion import coerce_input
from engine.records.compute import apply_formulas, base_env, hidden_by_condition
from web.params import nul_problems

DATA = "d."
UPLOAD = "f."
CONTROL_KEYS = frozenset({"csrf_token", "_version", "_action", "_record"})
CONTROL_PREFIXES = ("_state.", "_clear.", "_q.", "_rows.", "_rowof.")  # _rowof: row links
CHILD_KEY = re.compile(r"^([a-z][a-z0-9_]*)\.(\d{1,4})\.([a-z][a-z0-9_]*)$")
MAX_ROWS = 500


class FormForged(ValueError):
    """A posted key no page of ours would send."""


@dataclass
class Preview:
    """What the engine would compute from the values typed so far."""

    values: dict[str, Any]
    hidden: set[str]
    required: set[str]
    problems: list[Any] = field(default_factory=list)


def timezone() -> ZoneInfo:
    try:
        return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_moment(text: str) -> str:
    """A `datetime-local` value (the user's wall clock) as an ISO moment with its offset."""
    if not text or "T" not in text or len(text) > 32:
        return text
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone())
    return moment.isoformat()


def input_moment(value: Any) -> str:
    """A stored moment as a `datetime-local` input value in the app's time zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(timezone()).strftime("%Y-%m-%dT%H:%M")
    return "" if value is None else str(value)


def _scalar(f: Field, values: list[str]) -> Any:
    if f.kind_type.many:
        return [v for v in values if v != ""]
    value = values[-1] if values else ""
    if f.kind_type.aware:
        return local_moment(value.strip())
    if f.kind_type.trimmed:
        return value.strip()
    return value


def check_keys(form: MultiDict[str, str]) -> None:
    """Refuse a request carrying a key that is neither data nor one of the page's controls."""
    for key in form:
        if key.startswith(DATA) or key in CONTROL_KEYS or key.startswith(CONTROL_PREFIXES):
            continue
        raise FormForged(key)


def parse_form(module: Module, form: MultiDict[str, str]) -> dict[str, Any]:
    """Record data from the posted `d.` keys (file fields come only from uploads)."""
    check_keys(form)
    nul = nul_problems(form, lambda key: "/" + key.removeprefix(DATA).replace(".", "/"))
    if nul:  # PostgreSQL text cannot hold one
        raise ValidationFailed(nul)
    data: dict[str, Any] = {}
    rows: dict[str, dict[int, dict[str, Any]]] = {}
    for key in form:
        if not key.startswith(DATA):
            continue
        name = key[len(DATA) :]
        match = CHILD_KEY.match(name)
        if match:
            table, index, column = match.group(1), int(match.group(2)), match.group(3)
            f = module.field(table)
            child = f.child_map.get(column) if f is not None and f.kind_type.rows else None
            if child is None:
                data[name] = form.getlist(key)[-1]  # the engine names the unknown field
                continue
            rows.setdefault(table, {}).setdefault(index, {})[column] = _scalar(
                child, form.getlist(key)
            )
            continue
        f = module.field(name)
        if f is None or f.kind_type.rows:
            data[name] = form.getlist(key)[-1]
            continue
        if f.kind_type.holds_files:
            raise FormForged(key)  # a file value is set by an upload, never typed
        data[name] = _scalar(f, form.getlist(key))
    for table, by_index in rows.items():
        if len(by_index) > MAX_ROWS:
            raise FormForged(f"{DATA}{table}")
        data[table] = [by_index[i] for i in sorted(by_index)]
    for f in module.table_fields:
        if f"_rows.{f.name}" in form and f.name not in data:
            data[f.name] = []  # every row removed
    return data


def coerce_leniently(module: Module, data: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values for whatever can be read; a value that cannot is left out."""
    values: dict[str, Any] = {}
    for key, raw in data.items():
        f = module.field(key)
        if f is None or f.computed:
            continue
        if f.kind_type.rows:
            rows = []
            for row in raw if isinstance(raw, list) else []:
                typed: dict[str, Any] = {}
                for column, cell in row.items():
                    with contextlib.suppress(ValidationFailed):
                        typed.update(coerce_input(module, {key: [{column: cell}]})[key][0])
                rows.append(typed)
            values[key] = rows
            continue
        with contextlib.suppress(ValidationFailed):
            values.update(coerce_input(module, {key: raw}))
    return values


def _copied(value: Any) -> Any:
    """A stored value the preview may change: child rows copied one by one; a multi-choice
    list (plain strings, not rows) copied as a list."""
    if isinstance(value, list):
        return [dict(item) if isinstance(item, Mapping) else item for item in value]
    return value


def preview(
    module: Module,
    data: Mapping[str, Any],
    actor: Actor,
    system: Mapping[str, Any],
    base: Mapping[str, Any] | None = None,
) -> Preview:
    """Formulas, hidden fields and conditional requirements for the values typed so far."""
    values = {k: _copied(v) for k, v in (base or {}).items()}
    values.update(coerce_leniently(module, data))
    # a stored record's fields the reader may not see are not in `base`: formulas over them
    # keep their stored values instead of being recomputed from blanks
    unknown = set()
    for f in module.fields:
        if f.stored or f.kind_type.rows:
            if system.get("$id") and f.name not in values:
                unknown.add(f.name)
            values.setdefault(f.name, [] if f.kind_type.rows else None)
    problems = apply_formulas(module, values, system, actor, unknown)
    hidden = hidden_by_condition(module, values, system, actor)
    env = base_env(values, system, actor)
    required = {f.name for f in module.fields if f.required and not f.computed}
    for name, condition in module.ui.required_if.items():
        try:
            if truthy(condition.evaluate(env)):
                required.add(name)
        except ExpressionError:
            continue
    return Preview(values, hidden, required - hidden, problems)
