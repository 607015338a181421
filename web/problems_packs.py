"""Messages, in the reader's language, of the codes in engine/codes.py's PACKS table.

Why a pack was refused before or beside its checks: its text, JSON and meta-schema, names
and ids, versions, upgrades that records would not survive, formulas and reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from engine.attachments import size_text
from web import problems_expressions, problems_types

Params = Mapping[str, Any]


def _size(params: Params) -> str:
    return size_text(int(params.get("limit") or 0))


PACKS: dict[str, Callable[[Params], str]] = {
    "pack_too_large": lambda p: _("The pack is larger than %(limit)s.", limit=_size(p)),
    "not_json": lambda p: _("The pack is not valid JSON: %(detail)s", detail=p.get("detail")),
    "not_utf8": lambda p: _("The pack is not UTF-8 text."),
    "too_deeply_nested": lambda p: _("The pack's JSON is nested too deeply."),
    "pack_not_object": lambda p: _("A pack is a JSON object."),
    "duplicate_key": lambda p: _(
        "%(key)s is written twice in the same object; only the last would be kept.",
        key=p.get("key"),
    ),
    "module_id_too_long": lambda p: _("This module id is too long for a table name."),
    "reserved_field_name": lambda p: _(
        "%(field)s is reserved for a system value; choose another name.", field=p.get("field")
    ),
    "child_table_name_too_long": lambda p: _("This child table's name is too long."),
    "reserved_child_column": lambda p: _(
        "%(field)s is reserved in child tables; choose another name.", field=p.get("field")
    ),
    "expression_unreadable": lambda p: _(
        "The expression %(text)s cannot be read: %(detail)s",
        text=p.get("text"),
        detail=problems_expressions.expression_detail(p),
    ),
    "unknown_function": lambda p: _(
        "%(text)s calls the unknown function %(name)s; the functions are %(functions)s.",
        text=p.get("text"),
        name=p.get("name"),
        functions=p.get("functions"),
    ),
    "unknown_name": lambda p: _(
        "%(text)s names %(name)s, which is not known here.", text=p.get("text"), name=p.get("name")
    ),
    "type_clash": lambda p: _(
        "The types in %(text)s do not agree: %(detail)s",
        text=p.get("text"),
        detail=problems_types.type_clash_detail(p),
    ),
    "aggregate_required": lambda p: _(
        "%(text)s must be an aggregate such as count(), sum(x), avg(x), min(x) or max(x).",
        text=p.get("text"),
    ),
    "aggregate_forbidden": lambda p: _(
        "%(text)s must not aggregate (%(functions)s): it is computed per record.",
        text=p.get("text"),
        functions=p.get("functions"),
    ),
    "module_taken": lambda p: _(
        "Module id %(module)s already belongs to pack %(pack)s.",
        module=p.get("module"),
        pack=p.get("pack"),
    ),
    "version_unchanged": lambda p: _(
        "Version %(version)s is installed with other content; raise the version.",
        version=p.get("version"),
    ),
    "version_older": lambda p: _(
        "Version %(version)s is older than the installed %(installed)s.",
        version=p.get("version"),
        installed=p.get("installed"),
    ),
    "seed_key_undefined": lambda p: _(
        "Seed key %(key)s is used before it is defined.", key=p.get("key")
    ),
    "field_removed_with_values": lambda p: _(
        "Field %(field)s is removed but %(count)s records hold a value; "
        "list it in migrate.drop to discard them.",
        field=p.get("field"),
        count=p.get("count"),
    ),
    "field_change_with_values": lambda p: _(
        "Field %(field)s changes its type but %(count)s records hold a value. Keep its type, "
        "or add the new field under another id and remove this one with its values.",
        field=p.get("field"),
        count=p.get("count"),
    ),
    "choices_removed_in_use": lambda p: _(
        "Values %(values)s are removed but %(count)s records use them.",
        values=p.get("values"),
        count=p.get("count"),
    ),
    "required_without_default": lambda p: _(
        "New required field %(field)s has no default but %(count)s records have no value; "
        "give it a default or migrate.defaults.",
        field=p.get("field"),
        count=p.get("count"),
    ),
    "state_removed_in_use": lambda p: _(
        "State %(state)s is removed but %(count)s records are in it. Keep the state, or move "
        "those records to another state first (migrate.states).",
        state=p.get("state"),
        count=p.get("count"),
    ),
    "module_removed_with_records": lambda p: _(
        "Module %(module)s is removed but holds %(count)s records.",
        module=p.get("module"),
        count=p.get("count"),
    ),
    "role_built_in": lambda p: _(
        "Role %(role)s is built in; do not declare it.", role=p.get("role")
    ),
    "role_declared_twice": lambda p: _(
        "Role id %(role)s is declared more than once.", role=p.get("role")
    ),
    "module_id_twice": lambda p: _(
        "Module id %(module)s is used twice (also at %(other)s).",
        module=p.get("module"),
        other=p.get("other"),
    ),
    "module_id_installed": lambda p: _(
        "Module id %(module)s already belongs to another installed pack.", module=p.get("module")
    ),
    "id_line_break": lambda p: _("An id ends with a line break; use letters, digits and _ only."),
    "print_id_twice": lambda p: _(
        "Print id %(print)s is used more than once in %(module)s.",
        print=p.get("print"),
        module=p.get("module"),
    ),
    "template_unreadable": lambda p: _(
        "The template cannot be read at line %(line)s: %(detail)s",
        line=p.get("line"),
        detail=p.get("detail"),
    ),
    "formula_cycle": lambda p: _(
        "Computed values depend on each other in a cycle: %(cycle)s", cycle=p.get("cycle")
    ),
    "clock_in_database": lambda p: _(
        "%(what)s uses today() or now(), which the database cannot compute; "
        "compare with a stored date instead.",
        what=p.get("what"),
    ),
    "read_time_in_database": lambda p: _(
        "%(what)s reads %(name)s, which is computed when read, so the database cannot "
        "filter, sort, total or group by it.",
        what=p.get("what"),
        name=p.get("name"),
    ),
    "permission_unknown_field": lambda p: _(
        "The permission names an unknown field %(field)s.", field=p.get("field")
    ),
    "scope_unknown_field": lambda p: _(
        "The scope names an unknown field %(field)s.", field=p.get("field")
    ),
    "report_id_twice": lambda p: _(
        "Report id %(report)s is used more than once.", report=p.get("report")
    ),
    "report_unknown_module": lambda p: _(
        "Report %(report)s reads module %(module)s, which is neither in this pack nor installed.",
        report=p.get("report"),
        module=p.get("module"),
    ),
    "chart_not_grouped": lambda p: _(
        "The chart's %(key)s must be one of the report's group_by: %(fields)s",
        key=p.get("key"),
        fields=p.get("fields"),
    ),
    "chart_not_a_measure": lambda p: _(
        "The chart's y must name a measure: %(fields)s", fields=p.get("fields")
    ),
    "scope_not_a_link": lambda p: _(
        "A scope limits rows by a link field; %(field)s is not one (link fields: %(fields)s).",
        field=p.get("field"),
        fields=p.get("fields"),
    ),
}
