"""The builder's expression editor over HTTP: check as the admin types, names to complete.

Each keystroke (after a pause) posts the expression, where it is written and the module
to `check`, which answers an HTML fragment: a tick with the result's type and its value for
a sample record, or each problem in the admin's language with a caret under the place it
is about, and the names that complete the word being typed. The checking itself is the
engine's (engine/builder/expressions.py); this file only reads the request and renders.

The pack comes from the admin's builder draft (`draft`), an installed pack (`pack`) or a
pack posted whole (`definition`, JSON). `/try` is a small page to try the
editor on an installed module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, get_template_attribute, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from engine import exactjson
from engine.builder.drafts import get_draft
from engine.builder.expression_samples import made_up_record, made_up_row
from engine.builder.expressions import (
    WHERES,
    NameInfo,
    available_names,
    check_expression,
    read_catalogue,
)
from engine.definitions.loader import parse_pack_text
from engine.errors import Problem
from engine.numbers import NumberRefused
from engine.packs.installed import export_pack
from web.admin.builder_expression_words import (
    caret_lines,
    completions,
    name_label,
    shown_value,
    type_word,
    where_words,
)
from web.admin.guard import admin_blueprint
from web.admin.packs import carries_a_pack
from web.pages.context import actor, db
from web.problems import problem_message
from web.problems_expressions import CHECKS as EXPRESSION_TEXTS

bp = admin_blueprint("admin_builder_expr", __name__, url_prefix="/admin/builder/expression")

MAX_TEXT = 20_000  # far past the language's own limit, which answers in words


@dataclass(frozen=True)
class Message:
    """One problem as the editor shows it."""

    code: str
    message: str
    suggestion: str | None
    caret: tuple[str, str] | None  # the line of text and the caret under it


def _field(name: str) -> str:
    value = request.values.get(f"expr_{name}", request.values.get(name, ""))
    return value.strip() if name != "text" else value


def _definition() -> Mapping[str, Any]:
    """The pack the expression belongs to: one posted whole, the admin's draft (`draft`, an
    id of engine/builder/drafts.py) or an installed pack."""
    raw = _field("definition")
    if raw:  # read as an import reads a pack: bounded, numbers exact, refusals coded
        return parse_pack_text(raw)
    draft, pack = _field("draft"), _field("pack")
    if not draft and not pack:
        abort(400)
    with db() as session:
        if draft:  # the admin's own draft only: another admin's is not found
            return dict(get_draft(session, actor().name or "", draft).definition)
        return export_pack(session, pack)


def _sample() -> Mapping[str, Any] | None:
    raw = _field("sample")
    if not raw.strip():
        return None
    try:
        sample = exactjson.loads(raw)
    except (ValueError, NumberRefused, RecursionError):
        return None  # the made-up values stand in until it reads
    return sample if isinstance(sample, Mapping) else None


def _where() -> str:
    where = _field("where")
    if where not in WHERES:
        abort(400)
    return where


def _message(problem: Problem, text: str) -> Message:
    params = problem.params
    inner = EXPRESSION_TEXTS.get(str(params.get("expression_code")))
    shown = inner(params) if inner is not None else problem_message(problem)  # caret says where
    position = params.get("position")
    caret = caret_lines(text, position) if isinstance(position, int) else None
    suggestion = params.get("suggestion")
    return Message(problem.code, shown, suggestion if isinstance(suggestion, str) else None, caret)


def _text() -> str:
    name = _field("input") or "text"
    text = request.form.get(name, "")
    if len(text) > MAX_TEXT:
        abort(413)
    return text


@bp.post("/check")
@carries_a_pack
def check() -> ResponseReturnValue:
    """The editor's verdict on the expression, as an HTML fragment."""
    text, where = _text(), _where()
    if not text.strip():
        return ""  # nothing typed yet (an optional show_if, say): nothing to say
    found = check_expression(
        _definition(),
        _field("module"),
        where,
        text,
        table=_field("table") or None,
        sample=_sample(),
        field=_field("field") or None,
    )
    caret = request.form.get("expr_caret", "")
    at = int(caret) if caret.isdigit() else len(text)
    render = get_template_attribute("admin/builder/_expression.html", "expression_result")
    return render(
        found,
        [_message(p, text) for p in found.problems],
        _message(found.runtime, text) if found.runtime else None,
        completions(found.names, text, at),
        type_word(found.result_type),
        shown_value(found.value),
    )


def _names(definition: Mapping[str, Any]) -> tuple[NameInfo, ...]:
    module = read_catalogue(definition).get(_field("module"))
    if module is None:
        abort(404)
    table = module.fields.get(_field("table")) if _field("where") == "formula" else None
    return available_names(module, table if table is not None and table.children else None)


@bp.get("/names")
def names() -> ResponseReturnValue:
    """What may be named there, as JSON (`format=json`, the default) or a <datalist>."""
    found = _names(_definition())
    if request.args.get("format") == "datalist":
        render = get_template_attribute("admin/builder/_expression.html", "names_datalist")
        return render(request.args.get("id", "expression-names"), found, name_label)
    items = [
        {
            "name": n.name,
            "group": n.group,
            "type": n.type,
            "title": name_label(n),
            "kind": n.kind,
            "signature": n.signature,
        }
        for n in found
    ]
    return jsonify({"names": items})


@bp.get("/try")
def try_page() -> ResponseReturnValue:
    """Try the editor on an installed module: pick where, type, see the check and the value."""
    where = request.args.get("where", "formula")
    if where not in WHERES:
        abort(400)
    definition = _definition()
    catalogue = read_catalogue(definition)
    module = catalogue.get(_field("module"))
    if module is None:
        abort(404)
    tables = [f for f in module.fields.values() if f.kind_type.rows]
    table = module.fields.get(request.args.get("table", ""))
    table = table if table in tables and where == "formula" else None
    sample = made_up_row(table) if table is not None else made_up_record(module)
    return render_template(
        "admin/builder/expression_try.html",
        pack=_field("pack"),
        module=module,
        modules=list(catalogue),
        where=where,
        wheres=where_words(),
        table=table,
        tables=tables,
        names=available_names(module, table),
        value=request.args.get("text", ""),
        sample=exactjson.dumps(sample, indent=2),
        name_label=name_label,
    )
