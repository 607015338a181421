"""The type clashes of a pack's expressions, in the reader's language.

A `type_clash` problem (engine/definitions/check_expressions.py) carries the English
sentence as `detail` and, beside it, the clash's reason (`clash`, engine/expressions/
typecheck.py) and the parts it names: the subject (`subject_name`, `subject_part` or
`subject_literal`, with `subject_kind`), the other side (`other_*`), the operator, the
function and what it wants. Here each reason has one gettext message and each kind of value
one word, so the whole sentence is said in the reader's language; the names and the text of
the expression are quoted as the author wrote them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext

Params = Mapping[str, Any]


def _kind(kind: Any) -> str:
    """A kind of value ("number", "list of text") as a word of the reader's language."""
    kind = str(kind or "")
    if kind.startswith("list of "):
        return pgettext("value kind", "list of %(kind)s", kind=_kind(kind[len("list of ") :]))
    words = {
        "number": pgettext("value kind", "number"),
        "integer": pgettext("value kind", "integer"),
        "text": pgettext("value kind", "text"),
        "boolean": pgettext("value kind", "boolean"),
        "date": pgettext("value kind", "date"),
        "datetime": pgettext("value kind", "date and time"),
        "list": pgettext("value kind", "list"),
        "object": pgettext("value kind", "record"),
        "null": pgettext("value kind", "null"),
    }
    return words.get(kind, kind)


def _shown(p: Params, role: str) -> str:
    """The subject or the other side as the author wrote it (a name, a part, a literal)."""
    if f"{role}_literal" in p:
        return str(p[f"{role}_literal"])
    if f"{role}_name" in p:
        return f"'{p[f'{role}_name']}'"
    return f"'{p.get(f'{role}_part', '')}'"


def _other(p: Params) -> str:
    if "other_literal" in p:
        return str(p["other_literal"])
    return _("%(what)s (%(kind)s)", what=_shown(p, "other"), kind=_kind(p.get("other_kind")))


def _wanted(p: Params) -> str:
    words = {
        "number": _("a number"),
        "places": _("a whole number of places"),
        "text_or_list": _("a text or a list"),
        "list": _("a list"),
        "plain": _("plain values, not lists or records"),
        "date": _("a date"),
    }
    return words.get(str(p.get("wanted")), str(p.get("wanted", "")))


def _operator_needs(p: Params) -> str:
    if p.get("op") == "+":
        needs = _("%(op)s needs two numbers or two texts", op=p.get("op"))
    else:
        needs = _("%(op)s needs numbers", op=p.get("op"))
    if p.get("dates"):
        return _("%(needs)s (use days_between(a, b) for days)", needs=needs)
    return needs


CLASHES: dict[str, Callable[[Params], str]] = {
    "needs_number": lambda p: _("%(op)s needs a number", op=p.get("op")),
    "cannot_add": lambda p: _("it cannot be added to %(other)s", other=_other(p)),
    "operator_needs": _operator_needs,
    "cannot_compare": lambda p: _("it cannot be compared with %(other)s", other=_other(p)),
    "cannot_order": lambda p: _("%(op)s cannot order values of this kind", op=p.get("op")),
    "not_in_text": lambda p: _("it cannot be looked for in %(other)s", other=_other(p)),
    "in_needs_list": lambda p: _("'in' needs a list or a text on its right"),
    "not_in_list": lambda p: _("it can never be found in %(other)s", other=_other(p)),
    "function_needs": lambda p: _(
        "%(function)s() needs %(wanted)s", function=p.get("function"), wanted=_wanted(p)
    ),
    "holds": lambda p: _("%(function)s() needs numbers", function=p.get("function")),
}


def _subject(p: Params) -> str:
    kind = _kind(p.get("subject_kind"))
    if p.get("clash") == "holds":
        return _("%(part)s holds values of the kind %(kind)s", part=_shown(p, "subject"), kind=kind)
    if "subject_name" in p:
        return _("%(name)s is of the kind %(kind)s", name=_shown(p, "subject"), kind=kind)
    return _("%(part)s gives a value of the kind %(kind)s", part=_shown(p, "subject"), kind=kind)


def type_clash_detail(p: Params) -> str:
    """The clash of a `type_clash` problem in the reader's language (else its English)."""
    clash = CLASHES.get(str(p.get("clash")))
    if clash is None:
        return str(p.get("detail", ""))
    if "subject_literal" in p:
        return _("%(subject)s: %(clash)s", subject=p["subject_literal"], clash=clash(p))
    return _("%(subject)s; %(clash)s", subject=_subject(p), clash=clash(p))
