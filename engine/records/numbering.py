"""Human record numbers such as `LT-202611-0042` or `P01-HT-0007`, unique under concurrency.

A pattern holds literal text, date tokens (`{YYYY}` `{YY}` `{MM}` `{DD}`), values of the new
record (`{code}`) or of a record it links to (`{project.code}`), and one `{seq}` / `{seq:N}`.
Everything but the sequence makes the prefix; each prefix has its own counter row in
`sequences`, bumped with one INSERT … ON CONFLICT DO UPDATE … RETURNING inside the writer's
transaction, so two writers can never draw the same number, a rolled-back write leaves no
trace but a skipped number, and the sequence restarts for each project. A number is drawn
once: a value that changes later does not renumber the record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.catalog import Catalog
from engine.definitions.model import Module
from engine.definitions.numbering import TOKEN, is_sequence, sequence_width, value_tokens
from engine.errors import BatchFailed, Problem
from engine.models import Sequence as Counter

MAX_NUMBER = 64  # characters of the `number` column
_MARK = "\x00"  # where the sequence goes in a rendered pattern (a pattern holds no NUL)
Located = tuple[int, Problem]


def _render(pattern: str, today: dt.date, values: Mapping[str, str], seq: str | None) -> str:
    """The pattern with its dates and values filled in; `{seq}` kept when `seq` is None."""
    dates = {
        "YYYY": f"{today.year:04d}",
        "YY": f"{today.year % 100:02d}",
        "MM": f"{today.month:02d}",
        "DD": f"{today.day:02d}",
    }

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if is_sequence(token):
            return "{seq}" if seq is None else seq
        return dates.get(token) or values.get(token, "")

    text = TOKEN.sub(replace, pattern)
    return text if sequence_width(pattern) is not None else f"{text}{seq or '{seq}'}"


def _bump(session: Session, name: str, count: int) -> int:
    """Add `count` to the counter `name` (made at 0 if new); its new value."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Counter)
        .values(name=name, value=count)
        .on_conflict_do_update(index_elements=["name"], set_={"value": Counter.value + count})
        .returning(Counter.value)
    )
    return int(session.execute(statement).scalar_one())


def next_number(session: Session, module_id: str, pattern: str, today: dt.date) -> str:
    """Draw the next number for `pattern` on `today`."""
    return next_numbers(session, module_id, pattern, today, 1)[0]


def next_numbers(
    session: Session, module_id: str, pattern: str, today: dt.date, count: int
) -> list[str]:
    """Draw `count` consecutive numbers for a pattern without field values, on `today`."""
    return _draw(session, module_id, pattern, today, [{} for _ in range(count)])


def _draw(
    session: Session,
    module_id: str,
    pattern: str,
    today: dt.date,
    values: Sequence[Mapping[str, str]],
) -> list[str]:
    """One number per record: its prefix's counter bumped once for all records sharing it.

    A pattern that prints no value of the record is rendered once, with a mark where the
    sequence goes, and each number is that text with its sequence put in."""
    plain = not value_tokens(pattern) and _MARK not in pattern
    template = _render(pattern, today, {}, _MARK) if plain else ""
    groups: dict[str, list[int]] = {}
    if plain and values:  # one prefix for every record
        groups[_render(pattern, today, {}, None)] = list(range(len(values)))
    for index, record_values in enumerate([] if plain else values):
        groups.setdefault(_render(pattern, today, record_values, None), []).append(index)
    width = sequence_width(pattern) or 0
    numbers = [""] * len(values)
    for prefix in sorted(groups):  # one order for every writer: no deadlock between batches
        indexes = groups[prefix]
        last = _bump(session, f"{module_id}:{prefix}", len(indexes))
        for offset, index in enumerate(indexes):
            seq = f"{last - len(indexes) + 1 + offset:0{width}d}"
            numbers[index] = (
                template.replace(_MARK, seq)
                if plain
                else _render(pattern, today, values[index], seq)
            )
    return numbers


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def token_values(
    session: Session, catalog: Catalog, module: Module, batch: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, str]], list[Located]]:
    """Each record's token → text, and a `numbering_value_missing` problem per empty one."""
    tokens = value_tokens(module.numbering or "")
    texts: list[dict[str, str]] = [{} for _ in batch]
    problems: list[Located] = []
    for token in tokens:
        head, _, inner = token.partition(".")
        found = _through_link(session, catalog, module, head, inner, batch) if inner else None
        for index, values in enumerate(batch):
            value = values.get(head)
            if inner:
                value = (found or {}).get(value) if value is not None else None
            if value is None or value == "":
                params = {"token": token, "pattern": module.numbering}
                problems.append((index, Problem(f"/{head}", "numbering_value_missing", params)))
            else:
                texts[index][token] = _text(value)
    return texts, problems


def _through_link(
    session: Session,
    catalog: Catalog,
    module: Module,
    link: str,
    name: str,
    batch: Sequence[Mapping[str, Any]],
) -> dict[Any, Any]:
    """Linked id → that record's `name` value, for the links of `batch` (one query)."""
    field = module.field(link)
    wanted = {values.get(link) for values in batch} - {None}
    if field is None or field.ref not in catalog.modules or not wanted:
        return {}
    table = catalog.tables[field.ref].main
    rows = session.execute(select(table.c.id, table.c[name]).where(table.c.id.in_(wanted)))
    return {row[0]: row[1] for row in rows}


def _length_problems(module: Module, texts: Sequence[Mapping[str, str]]) -> list[Located]:
    """Numbers that would not fit the `number` column with their values printed (dates have
    a fixed width, so any day measures them)."""
    pattern = module.numbering or ""
    digits = "0" * max(sequence_width(pattern) or 0, 1)
    head = next((f"/{t.partition('.')[0]}" for t in value_tokens(pattern)), "")
    problems: list[Located] = []
    for index, record_texts in enumerate(texts):
        number = _render(pattern, dt.date(2000, 1, 1), record_texts, digits)
        if len(number) > MAX_NUMBER:
            params = {"number": number, "limit": MAX_NUMBER}
            problems.append((index, Problem(head, "numbering_too_long", params)))
    return problems


def numbering_problems(
    session: Session, catalog: Catalog, module: Module, batch: Sequence[Mapping[str, Any]]
) -> list[Located]:
    """What keeps new records from being numbered: a value their number needs is empty, or
    makes the number too long."""
    if not module.numbering or not value_tokens(module.numbering):
        return []
    texts, problems = token_values(session, catalog, module, batch)
    return problems or _length_problems(module, texts)


def number_records(
    session: Session,
    catalog: Catalog,
    module: Module,
    today: dt.date,
    batch: Sequence[Mapping[str, Any]],
) -> list[str | None]:
    """The numbers of new records (None without a pattern); BatchFailed if one cannot be made."""
    if not module.numbering:
        return [None] * len(batch)
    texts, problems = token_values(session, catalog, module, batch)
    if not problems and value_tokens(module.numbering):
        problems = _length_problems(module, texts)
    if problems:
        raise BatchFailed(problems)
    numbers = _draw(session, module.id, module.numbering, today, texts)
    long = [
        (i, Problem("", "numbering_too_long", {"number": n, "limit": MAX_NUMBER}))
        for i, n in enumerate(numbers)
        if len(n) > MAX_NUMBER  # a sequence grown past its digits
    ]
    if long:
        raise BatchFailed(long)
    return list(numbers)
