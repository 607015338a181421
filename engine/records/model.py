"""What the records service hands back: plain dataclasses, no ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Record:
    id: str
    module: str
    number: str | None
    state: str | None
    version: int
    owner: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    module_version: str | None
    data: dict[str, Any]
    titles: dict[str, str] = field(default_factory=dict)  # link field → linked record's title
    state_since: dt.datetime | None = None
    # fields withheld from this reader (a rollup over rows they may not all read): not in data
    restricted: frozenset[str] = frozenset()

    def system(self) -> dict[str, Any]:
        """The `$` values expressions can read."""
        return {
            "$id": self.id,
            "$number": self.number,
            "$state": self.state,
            "$owner": self.owner,
            "$created_at": self.created_at,
            "$updated_at": self.updated_at,
        }


@dataclass
class RecordPage:
    items: list[Record]
    total: int
    page: int
    per_page: int
    totals: dict[str, Decimal | int | None]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
