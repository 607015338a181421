"""One source of a report over several sources (`"sources"`), compiled.

Kept apart from engine/definitions/model.py, which holds the rest of the compiled pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.expressions import Expression


@dataclass(frozen=True)
class ReportSource:
    """One module's records (or rows of its child table `rows`) in a report over several
    sources: the values it gives under the report's shared names (engine/report_sources.py)."""

    module: str
    values: Mapping[str, Expression]
    where: Expression | None = None
    rows: str | None = None
