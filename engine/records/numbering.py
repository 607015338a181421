"""Human record numbers such as `LT-202611-0042`, unique under concurrent creation.

The pattern's date tokens make a prefix; each prefix has its own counter row in
`sequences`, bumped with one INSERT … ON CONFLICT DO UPDATE … RETURNING inside the writer's
transaction, so two writers can never draw the same number and a rolled-back write leaves
no trace but a skipped number.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models import Sequence

TOKEN = re.compile(r"\{(YYYY|YY|MM|DD|seq(?::(\d{1,2}))?)\}")


def _prefix(pattern: str, today: dt.date) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        return {
            "YYYY": f"{today.year:04d}",
            "YY": f"{today.year % 100:02d}",
            "MM": f"{today.month:02d}",
            "DD": f"{today.day:02d}",
        }.get(token, "{seq}")

    return TOKEN.sub(replace, pattern)


def next_number(session: Session, module_id: str, pattern: str, today: dt.date) -> str:
    """Draw the next number for `pattern` on `today`."""
    return next_numbers(session, module_id, pattern, today, 1)[0]


def next_numbers(
    session: Session, module_id: str, pattern: str, today: dt.date, count: int
) -> list[str]:
    """Draw `count` consecutive numbers for `pattern` on `today` in one statement."""
    prefix = _prefix(pattern, today)
    name = f"{module_id}:{prefix}"
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Sequence)
        .values(name=name, value=count)
        .on_conflict_do_update(index_elements=["name"], set_={"value": Sequence.value + count})
        .returning(Sequence.value)
    )
    last = session.execute(statement).scalar_one()
    width = next(
        (int(m.group(2) or 0) for m in TOKEN.finditer(pattern) if m.group(1).startswith("seq")), 0
    )
    numbers = []
    for value in range(last - count + 1, last + 1):
        seq = f"{value:0{width}d}"
        numbers.append(prefix.replace("{seq}", seq) if "{seq}" in prefix else f"{prefix}{seq}")
    return numbers
