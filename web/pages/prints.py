"""The print page of a record: a pack's print template on an A4 or A5 sheet.

The engine renders the template in its sandbox (`engine.prints.render_print`) with the
values as this reader sees them; this page only hands it the reader's formatters (language,
time zone, display names) and puts the result on a sheet whose print CSS sets the paper,
repeats a table's header on every page and hides the page's own controls. PDF is the
browser's "Save as PDF": no server-side renderer is installed (see the README's libraries).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.catalog import load_catalog
from engine.prints import PrintLocale, render_print
from engine.records import get_record
from web.i18n import language, text
from web.pages.context import actor, db
from web.pages.formatting import moment_text, user_text, value_text

bp = Blueprint("prints", __name__)


def _translate(value: Any) -> str:
    """t() of a template: pack text (a language mapping) or a sentence of our catalogue."""
    return _(value) if isinstance(value, str) else text(value)


def reader_locale() -> PrintLocale:
    """How this request's reader reads values: language, zone, names."""
    return PrintLocale(
        language=language(),
        value=value_text,
        moment=moment_text,
        user=user_text,
        translate=_translate,
        labels={
            "by": _("Signed by"),
            "decision": _("Decision"),
            "at": _("Signed at"),
            "approved": _("Approved"),
        },
    )


@bp.get("/m/<module_id>/r/<record_id>/print/<print_id>")
@login_required
def show(module_id: str, record_id: str, print_id: str) -> ResponseReturnValue:
    """The record on paper: 404 for a record out of the reader's scope or an unknown print."""
    who = actor()
    with db() as session:
        module = load_catalog(session).module(module_id)
        item = get_record(session, module_id, record_id, who)
        printed = render_print(session, module, item, who, print_id, reader_locale())
        return render_template(
            "prints/sheet.html",
            module=module,
            record=item,
            printed=printed,
            paper=printed.paper.lower(),
            active_module=module.id,
        )
