"""Related records on the record page: what links to the record, module by module.

The record page only marks where the section goes (when some module the user reads links to
the record's module); htmx fetches it from here once it scrolls into view, so the record page
costs no more statements. Each group shows its count, its list totals and the newest records,
and "All N →" opens the module's list filtered to `filter[<link>]=<record id>` (or
`filter[<table>.<link>]` when the link sits in a child table's rows), which shows exactly
those N (the engine applies the same scope and visibility to both). Without
JavaScript the section's link opens this as a page of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from engine.catalog import load_catalog
from engine.records import get_record
from engine.related import RelatedGroup, related_records
from web.i18n import text
from web.pages.context import actor, db, is_htmx
from web.pages.formatting import field_title

bp = Blueprint("related", __name__)


@dataclass(frozen=True)
class GroupView:
    """A group as the page shows it: its heading and the filtered list it stands for."""

    group: RelatedGroup
    title: str
    list_url: str


def group_views(groups: list[RelatedGroup], record_id: str) -> list[GroupView]:
    """Headings name the module, and the link field too when a module links more than once."""
    modules = [g.module.id for g in groups]
    views = []
    for group in groups:
        title = text(group.module.title) or group.module.id
        if modules.count(group.module.id) > 1:  # which link: a field, or a child table's
            title = f"{title} · {field_title(group.module, (group.table or group.link).name)}"
        base = url_for("lists.records", module_id=group.module.id)
        views.append(GroupView(group, title, f"{base}?{urlencode({group.filter_key: record_id})}"))
    return views


@bp.get("/m/<module_id>/r/<record_id>/related")
@login_required
def show(module_id: str, record_id: str) -> ResponseReturnValue:
    """The related section (for htmx), or a page of its own (without JavaScript)."""
    who = actor()
    with db() as session:
        module = load_catalog(session).module(module_id)
        groups = group_views(related_records(session, module, record_id, who), record_id)
        if is_htmx():
            return render_template("records/_related.html", module=module, groups=groups)
        item = get_record(session, module, record_id, who)
        return render_template(
            "records/related.html",
            module=module,
            active_module=module.id,
            record=item,
            groups=groups,
        )
