"""A problem of an import, placed where a person finds it: the sheet's row and column.

Rows are numbered as the spreadsheet numbers them (the header is row 1); `row` is None for
a problem of a column (a mapping refused) and `column` is None for one of the whole row.
`sheet` names the workbook's sheet when it is not the main one (a sheet of child rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.errors import Problem


@dataclass(frozen=True)
class RowProblem:
    row: int | None
    column: str | None
    problem: Problem
    sheet: str | None = None

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def message(self) -> str:
        return self.problem.message

    def as_dict(self) -> dict[str, Any]:
        place = {"sheet": self.sheet} if self.sheet else {}
        return {**place, "row": self.row, "column": self.column, **self.problem.as_dict()}
