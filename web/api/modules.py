"""The modules a caller may read, and one module's definition as the caller may see it.

Titles come in the caller's language (`?lang=zh-CN` or Accept-Language). A field hidden
from the caller is left out of the definition altogether; `access` says whether the caller
may write or only read each field, and `may` what the caller may do with the module.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from engine.abilities import Abilities, abilities
from engine.catalog import load_catalog
from engine.definitions.model import Field
from web.api.common import readable_module, text
from web.api.context import api_session
from web.api.operations import operation

bp = Blueprint("modules", __name__)


def may_json(answer: Abilities) -> dict[str, bool]:
    """What the caller may do with the module's records: the engine's one answer, as JSON."""
    return {
        "read": answer.read,
        "create": answer.create,
        "update": answer.update,
        "delete": answer.delete,
        "export": answer.export,
        "import": answer.import_,
    }


def summary(answer: Abilities) -> dict[str, Any]:
    module = answer.module
    return {
        "id": module.id,
        "title": text(module.title),
        "pack": module.pack_id,
        "version": module.version,
        "may": may_json(answer),
    }


def field_json(field: Field, access: str) -> dict[str, Any]:
    kind: dict[str, Any] = {
        "name": field.name,
        "kind": field.kind,
        "title": text(field.title),
        "required": field.required,
        "access": "read" if field.computed or field.read_only else access,
        "computed": field.computed,
    }
    if field.kind_type.exact:
        kind |= {"scale": field.scale or 0, "money": field.money}
    if field.enum is not None:
        kind |= {
            "enum": list(field.enum),
            "enum_titles": {
                str(v): text(field.enum_titles.get(str(v), str(v))) for v in field.enum
            },
        }
    if field.ref:
        kind["ref"] = field.ref
    if field.default is not None:
        kind["default"] = field.default
    if field.children:
        kind["children"] = [field_json(child, access) for child in field.children]
    return kind


def definition(answer: Abilities) -> dict[str, Any]:
    """The module as the caller may see it: the fields their abilities do not hide."""
    module, modes = answer.module, answer.fields
    fields = [
        field_json(f, "write" if modes[f.name] == "write" else "read")
        for f in module.fields
        if modes[f.name] != "hidden"
    ]
    visible = {f["name"] for f in fields}
    listing = module.ui.list
    workflow = None
    if module.workflow is not None:
        workflow = {
            "initial": module.workflow.initial,
            "states": [
                {
                    "id": state.id,
                    "title": text(state.title),
                    "readonly": state.readonly,
                    "final": state.final,
                    "due": state.due or _due_on(state.due_field, state.due_offset),
                    "color": state.color,
                }
                for state in module.workflow.states.values()
            ],
            "transitions": [
                {
                    "id": t.id,
                    "title": text(t.title),
                    "from": list(t.sources),
                    "to": t.target,
                    "roles": list(t.roles),
                    "comment": t.comment,
                    "approval": t.approval is not None,
                }
                for t in module.workflow.transitions
            ],
        }

    def shown(names: tuple[str, ...]) -> list[str]:
        """Names (sort keys keep their `-`) of system values and fields the caller sees."""
        return [n for n in names if n.lstrip("-+").startswith("$") or n.lstrip("-+") in visible]

    return summary(answer) | {
        "description": text(module.description),
        "title_field": module.title_field if module.title_field in visible else None,
        "fields": fields,
        "list": {
            "columns": shown(listing.columns),
            "sort": shown(listing.sort),
            "filters": shown(listing.filters),
            "search": shown(listing.search),
            "totals": shown(listing.totals),
        },
        "workflow": workflow,
    }


@bp.get("/modules")
@operation("modules.list")
def modules() -> ResponseReturnValue:
    """The installed modules the caller may read."""
    with api_session() as (session, actor):
        catalog = load_catalog(session)
        answers = (
            abilities(actor, m) for m in sorted(catalog.modules.values(), key=lambda m: m.id)
        )
        items = [summary(answer) for answer in answers if answer.read]
        return jsonify({"items": items})


@bp.get("/modules/<module_id>")
@operation("modules.read")
def module(module_id: str) -> ResponseReturnValue:
    with api_session() as (session, actor):
        return jsonify(definition(abilities(actor, readable_module(session, actor, module_id))))


def _due_on(field: str | None, offset: str | None) -> dict[str, str] | None:
    """A state due on a date field, as the pack writes it (`{"field": .., "offset": ..}`)."""
    if field is None:
        return None
    return {"field": field, **({"offset": offset} if offset else {})}
