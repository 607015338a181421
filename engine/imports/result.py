"""What an import did, or — previewed — would do: shared by the preview and the writer."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.imports.problems import RowProblem
from engine.imports.rows import Row
from engine.records.model import Record


@dataclass
class ImportResult:
    """What an import did (or, previewed, would do)."""

    module: str
    encoding: str | None
    sheet: str | None
    headers: list[str]
    mapping: dict[str, str]
    unmapped: list[str]
    problems: list[RowProblem] = field(default_factory=list)
    sample: list[Record] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Row] = field(default_factory=list)
    written: bool = False
    child_sheets: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → its map
