"""Importing records from CSV and XLSX files: read, map columns, convert, preview, apply.

sources.py reads a file (refusing what it must not read), mapping.py finds each column's
field, values.py and lookups.py turn cells into what a person would type, rows.py builds
each record's data, writing.py sends it through the engine's create and update path, and
importing.py ties them together as `preview` and `apply_import`.
"""

from __future__ import annotations

from engine.imports.importing import ImportResult, apply_import, preview
from engine.imports.problems import RowProblem
from engine.imports.rejected import write_rejected
from engine.imports.sources import Limits

__all__ = ["ImportResult", "Limits", "RowProblem", "apply_import", "preview", "write_rejected"]
