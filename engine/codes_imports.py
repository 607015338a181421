"""Problem codes of importing records from CSV and XLSX files (engine/imports/).

A refused file (too large, too many rows, a zip bomb, neither CSV nor XLSX) and each problem
of a row or a column carry one of these; engine/codes.py merges them into MESSAGES and
web/problems_imports.py words them in the reader's language.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "import_not_allowed": "you may not import records into {module}",
    "import_too_large": "the file is {value} bytes, more than the {limit} bytes an import takes",
    "import_too_many_rows": "the file has more than {limit} rows: split it into smaller files",
    "import_zip_bomb": (
        "the workbook unpacks to {value} bytes, far more than its size allows "
        "(at most {limit} bytes): it is refused unread"
    ),
    "import_unknown_format": "the file is neither a CSV text file nor an XLSX workbook",
    "import_bad_encoding": "the file is not text in {value}: choose its encoding (UTF-8 or GBK)",
    "import_unknown_sheet": "the workbook has no sheet {value!r}; its sheets are {values}",
    "import_no_header": "the file has no header row naming its columns",
    "import_formula": "{value!r} is a formula, which is never evaluated: type its value instead",
    "import_merged_cells": (
        "cells {value} are merged, so only the first holds a value: unmerge them and fill each cell"
    ),
    "import_duplicate_header": "two columns are headed {name!r}: give each column its own header",
    "import_unknown_field": "column {name!r} is mapped to {field!r}, which is not a field here",
    "import_column_computed": "column {name!r} maps to {field!r}, which is computed: leave it out",
    "import_column_read_only": "column {name!r} maps to {field!r}, which you may not write",
    "import_column_hidden": "column {name!r} maps to {field!r}, which you may not see",
    "import_column_kind": "column {name!r} maps to {field!r}: {kind} cannot be imported",
    "import_field_twice": "columns {values} both map to {field!r}: keep one of them",
    "import_key_unmapped": "the key {field!r} is not one of the mapped columns",
    "import_key_twice": "the key {value!r} is on rows {values}: each row needs its own key",
    "import_key_ambiguous": "the key {value!r} matches several records: {records}",
    "import_key_missing": "the row has no key {field!r}",
    "import_unknown_number": "no {module} record numbered {value!r} for you to update",
    "import_no_link": "no {module} record numbered or titled {value!r} that you may read",
    "import_ambiguous_link": "{value!r} matches several {module} records: {records}",
    "import_no_user": "no active user named {value!r}",
    "import_ambiguous_user": "{value!r} names several users: {values}",
    "import_not_a_choice": "{value!r} is not one of {choices}",
    "import_not_a_boolean": "{value!r} is not yes or no (是/否, yes/no, true/false, 1/0)",
    "import_not_a_date": "{value!r} is not a date (2026-03-02, 2026/3/2, 2026年3月2日)",
    "import_parent_differs": (
        "column {name!r} reads {value!r} here but {other!r} on an earlier row of the same "
        "record (rows {values}): repeat the same value or leave it blank"
    ),
    "import_orphan_child_row": (
        "this row of sheet {sheet!r} names {value!r} in column {name!r}, "
        "which matches no record of the main sheet"
    ),
    "import_child_sheet_unjoined": (
        "sheet {value!r} holds child rows, but the main sheet has no key or number column "
        "to join them by: choose a key"
    ),
    "import_child_sheet_no_key": (
        "sheet {value!r} holds child rows but has no column {name!r} to join them to their records"
    ),
    "import_job_not_found": "no import {id} that you may read",
    "import_file_missing": "the file {name!r} of this import is no longer stored",
    "import_cancelled": "the import was cancelled after {done} of {total} records",
    "import_interrupted": (
        "the import stopped when its worker did, after {done} of {total} records were kept"
    ),
    "import_rows_refused": "{count} records have problems, so nothing was imported",
    "import_failed": "the import failed ({detail}); nothing past its last committed batch was kept",
    "import_file_required": "send the file as multipart/form-data in a part named `file`",
    "import_mapping_not_an_object": (
        'mapping is a JSON object of column header to field: {{"工时": "items.hours"}}'
    ),
    "import_no_rejected_rows": "import {id} has no rejected rows to download",
}
