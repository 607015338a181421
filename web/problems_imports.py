"""Messages, in the reader's language, of the codes in engine/codes_imports.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CODES: dict[str, Callable[[Params], str]] = {
    "import_not_allowed": lambda p: _(
        "You may not import records into %(module)s.", module=p.get("module")
    ),
    "import_too_large": lambda p: _(
        "The file is %(value)s bytes, more than the %(limit)s bytes an import takes.",
        value=p.get("value"),
        limit=p.get("limit"),
    ),
    "import_too_many_rows": lambda p: _(
        "The file has more than %(limit)s rows: split it into smaller files.", limit=p.get("limit")
    ),
    "import_zip_bomb": lambda p: _(
        "The workbook unpacks to %(value)s bytes, far more than its size allows (at most %(limit)s bytes): it is refused unread.",
        value=p.get("value"),
        limit=p.get("limit"),
    ),
    "import_unknown_format": lambda p: _(
        "The file is neither a CSV text file nor an XLSX workbook."
    ),
    "import_bad_encoding": lambda p: _(
        "The file is not text in %(value)s: choose its encoding (UTF-8 or GBK).",
        value=p.get("value"),
    ),
    "import_unknown_sheet": lambda p: _(
        "The workbook has no sheet %(value)s; its sheets are %(values)s.",
        value=p.get("value"),
        values=p.get("values"),
    ),
    "import_no_header": lambda p: _("The file has no header row naming its columns."),
    "import_formula": lambda p: _(
        "%(value)s is a formula, which is never evaluated: type its value instead.",
        value=p.get("value"),
    ),
    "import_merged_cells": lambda p: _(
        "Cells %(value)s are merged, so only the first holds a value: unmerge them and fill each cell.",
        value=p.get("value"),
    ),
    "import_duplicate_header": lambda p: _(
        "Two columns are headed %(name)s: give each column its own header.", name=p.get("name")
    ),
    "import_unknown_field": lambda p: _(
        "Column %(name)s is mapped to %(field)s, which is not a field here.",
        name=p.get("name"),
        field=p.get("field"),
    ),
    "import_column_computed": lambda p: _(
        "Column %(name)s maps to %(field)s, which is computed: leave it out.",
        name=p.get("name"),
        field=p.get("field"),
    ),
    "import_column_read_only": lambda p: _(
        "Column %(name)s maps to %(field)s, which you may not write.",
        name=p.get("name"),
        field=p.get("field"),
    ),
    "import_column_hidden": lambda p: _(
        "Column %(name)s maps to %(field)s, which you may not see.",
        name=p.get("name"),
        field=p.get("field"),
    ),
    "import_column_kind": lambda p: _(
        "Column %(name)s maps to %(field)s: %(kind)s cannot be imported.",
        name=p.get("name"),
        field=p.get("field"),
        kind=p.get("kind"),
    ),
    "import_field_twice": lambda p: _(
        "Columns %(values)s both map to %(field)s: keep one of them.",
        values=p.get("values"),
        field=p.get("field"),
    ),
    "import_key_unmapped": lambda p: _(
        "The key %(field)s is not one of the mapped columns.", field=p.get("field")
    ),
    "import_key_twice": lambda p: _(
        "The key %(value)s is on rows %(values)s: each row needs its own key.",
        value=p.get("value"),
        values=p.get("values"),
    ),
    "import_key_ambiguous": lambda p: _(
        "The key %(value)s matches several records: %(records)s.",
        value=p.get("value"),
        records=p.get("records"),
    ),
    "import_key_missing": lambda p: _("The row has no key %(field)s.", field=p.get("field")),
    "import_unknown_number": lambda p: _(
        "No %(module)s record numbered %(value)s for you to update.",
        value=p.get("value"),
        module=p.get("module"),
    ),
    "import_no_link": lambda p: _(
        "No %(module)s record numbered or titled %(value)s that you may read.",
        value=p.get("value"),
        module=p.get("module"),
    ),
    "import_ambiguous_link": lambda p: _(
        "%(value)s matches several %(module)s records: %(records)s.",
        value=p.get("value"),
        module=p.get("module"),
        records=p.get("records"),
    ),
    "import_no_user": lambda p: _("No active user named %(value)s.", value=p.get("value")),
    "import_ambiguous_user": lambda p: _(
        "%(value)s names several users: %(values)s.", value=p.get("value"), values=p.get("values")
    ),
    "import_not_a_choice": lambda p: _(
        "%(value)s is not one of %(choices)s.", value=p.get("value"), choices=p.get("choices")
    ),
    "import_not_a_boolean": lambda p: _(
        "%(value)s is not yes or no (是/否, yes/no, true/false, 1/0).", value=p.get("value")
    ),
    "import_not_a_date": lambda p: _(
        "%(value)s is not a date (2026-03-02, 2026/3/2, 2026年3月2日).", value=p.get("value")
    ),
    "import_parent_differs": lambda p: _(
        "Column %(name)s reads %(value)s here but %(other)s on an earlier row of the same record (rows %(values)s): repeat the same value or leave it blank.",
        name=p.get("name"),
        value=p.get("value"),
        other=p.get("other"),
        values=p.get("values"),
    ),
    "import_orphan_child_row": lambda p: _(
        "This row of sheet %(sheet)s names %(value)s in column %(name)s, which matches no record of the main sheet.",
        sheet=p.get("sheet"),
        value=p.get("value"),
        name=p.get("name"),
    ),
    "import_child_sheet_unjoined": lambda p: _(
        "Sheet %(value)s holds child rows, but the main sheet has no key or number column to join them by: choose a key.",
        value=p.get("value"),
    ),
    "import_child_sheet_no_key": lambda p: _(
        "Sheet %(value)s holds child rows but has no column %(name)s to join them to their records.",
        value=p.get("value"),
        name=p.get("name"),
    ),
    "import_job_not_found": lambda p: _("No import %(id)s that you may read.", id=p.get("id")),
    "import_file_missing": lambda p: _(
        "The file %(name)s of this import is no longer stored.", name=p.get("name")
    ),
    "import_cancelled": lambda p: _(
        "The import was cancelled after %(done)s of %(total)s records.",
        done=p.get("done"),
        total=p.get("total"),
    ),
    "import_interrupted": lambda p: _(
        "The import stopped when its worker did, after %(done)s of %(total)s records were kept.",
        done=p.get("done"),
        total=p.get("total"),
    ),
    "import_rows_refused": lambda p: _(
        "%(count)s records have problems, so nothing was imported.", count=p.get("count")
    ),
    "import_failed": lambda p: _(
        "The import failed (%(detail)s); nothing past its last committed batch was kept.",
        detail=p.get("detail"),
    ),
    "import_file_required": lambda p: _(
        "Send the file as multipart/form-data in a part named file."
    ),
    "import_mapping_not_an_object": lambda p: _(
        'The mapping is a JSON object of column header to field, such as {"工时": "items.hours"}.'
    ),
    "import_no_rejected_rows": lambda p: _(
        "Import %(id)s has no rejected rows to download.", id=p.get("id")
    ),
}
