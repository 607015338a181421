"""The print page of a record: a pack's print template on an A4 or A5 sheet, and its PDF.

The engine renders the template in its sandbox (`engine.prints.render_print`) with the
values as this reader sees them; this page only hands it the reader's formatters (language,
time zone, display names) and puts the result on a sheet whose print CSS (static/css/
print.css) sets the paper, repeats a table's header on every page and hides the page's own
controls. The same sheet and stylesheet become a PDF on the server through WeasyPrint, which
fetches nothing: a template's `<img src="http://…">` or `file:` link loads no byte, so a
print cannot reach the network or the disk. Without WeasyPrint (or Pango) the PDF link is
not offered and the browser's "Save as PDF" remains.
"""

from __future__ import annotations

import functools
import importlib
import os
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.prints import Printed, PrintLocale, render_print
from engine.records import get_record
from engine.records.model import Record
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


@functools.cache
def _weasyprint() -> Any:
    """The WeasyPrint module, or None when it (or the Pango it loads) is not installed."""
    try:
        return importlib.import_module("weasyprint")
    except (ImportError, OSError):
        return None


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher: a print loads nothing from the network or the disk."""
    raise ValueError(f"a print does not load {url[:80]!r}")


def _printed(
    session: Session, module_id: str, record_id: str, print_id: str, who: Actor
) -> tuple[Module, Record, Printed]:
    module = load_catalog(session).module(module_id)
    item = get_record(session, module_id, record_id, who)
    return module, item, render_print(session, module, item, who, print_id, reader_locale())


@bp.get("/m/<module_id>/r/<record_id>/print/<print_id>")
@login_required
def show(module_id: str, record_id: str, print_id: str) -> ResponseReturnValue:
    """The record on paper: 404 for a record out of the reader's scope or an unknown print."""
    with db() as session:
        module, item, printed = _printed(session, module_id, record_id, print_id, actor())
        return render_template(
            "prints/sheet.html",
            module=module,
            record=item,
            printed=printed,
            paper=printed.paper.lower(),
            pdf=_weasyprint() is not None,
            active_module=module.id,
        )


@bp.get("/m/<module_id>/r/<record_id>/print/<print_id>/pdf")
@login_required
def pdf(module_id: str, record_id: str, print_id: str) -> ResponseReturnValue:
    """The same sheet as a PDF file rendered on the server (404 without WeasyPrint)."""
    weasyprint = _weasyprint()
    if weasyprint is None:
        abort(404)
    with db() as session:
        module, item, printed = _printed(session, module_id, record_id, print_id, actor())
    html = render_template(
        "prints/pdf.html", record=item, printed=printed, paper=printed.paper.lower()
    )
    static = current_app.static_folder or ""
    stylesheet = weasyprint.CSS(filename=os.path.join(static, "css", "print.css"))
    document = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch, base_url=None)
    data = document.write_pdf(stylesheets=[stylesheet])
    name = f"{item.number or item.id}-{printed.id}.pdf"
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
