"""What an import did, or — previewed — would do: shared by the preview and the writer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.imports.problems import RowProblem
from engine.imports.rows import Row
from engine.records.model import Record

KEPT_PROBLEMS = 1_000  # a file of 100k bad rows keeps the first ones, and counts them all


@dataclass
class ImportResult:
    """What an import did (or, previewed, would do).

    `problems` holds the first KEPT_PROBLEMS, `problem_count` counts them all; `rejected`
    holds the rejected records and `orphans` the child rows that belong to no record (with
    their reason), both for the rejected-rows file.
    """

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
    child_headers: dict[str, list[str]] = field(default_factory=dict)  # sheet → its headers
    problem_count: int = 0
    orphans: list[Row] = field(default_factory=list)

    def note(self, problems: Iterable[RowProblem]) -> None:
        """Count the problems; keep them while fewer than KEPT_PROBLEMS are kept."""
        for problem in problems:
            self.problem_count += 1
            if len(self.problems) < KEPT_PROBLEMS:
                self.problems.append(problem)
