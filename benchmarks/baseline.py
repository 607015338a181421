"""The yardstick: the labour tally written by hand as a careful Flask + SQLAlchemy app would.

A typed SQLAlchemy 2 declarative model of the same module (`bl_project`, `bl_crew`,
`bl_labour`, `bl_labour_item`) with real columns, foreign keys, integer keys and the same
indexes the engine derives for its table, loaded with the same rows and queried with
hand-written statements that return the same answers. Whatever the engine costs beyond this
is the price of being generic; the benchmark prints it as a ratio.

Decimals: NUMERIC on PostgreSQL. On SQLite, which has no decimal type, the careful choice is
the one the engine makes too: an integer scaled by 10^scale (cents for money), so sums stay
exact; `Scaled` below does that conversion and nothing else.

The hand-written app computes its own formulas (`amount = hours * rate` per row, the record's
sums) in plain Python and inserts without validation: that is the lower bound of a load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator, TypeEngine

TRADE = "rebar"


class Scaled(TypeDecorator[Decimal]):
    """NUMERIC(p, s) on PostgreSQL; on SQLite an integer holding value × 10^s."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int):
        super().__init__()
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return int(value.scaleb(self.scale))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or dialect.name != "sqlite":
            return value
        return Decimal(value).scaleb(-self.scale)


class Base(DeclarativeBase):
    pass


class BlProject(Base):
    __tablename__ = "bl_project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    budget: Mapped[Decimal | None] = mapped_column(Scaled(20, 2))


class BlCrew(Base):
    __tablename__ = "bl_crew"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    leader: Mapped[str | None] = mapped_column(String(50))


class BlLabour(Base):
    __tablename__ = "bl_labour"
    # the engine's indexes for this list (filters, sort, totals), written out by hand
    __table_args__ = (
        Index("ux_bl_labour_number", "number", unique=True),
        Index("ix_bl_labour_owner", "owner"),
        Index("ix_bl_labour_created", "created_at", "id"),
        Index("ix_bl_labour_state", "state", "hours", "amount"),
        Index("ix_bl_labour_project", "project_id", "hours", "amount"),
        Index("ix_bl_labour_crew", "crew_id", "hours", "amount"),
        Index("ix_bl_labour_date", "date", "hours", "amount"),
        Index("ix_bl_labour_trade", "trade", "hours", "amount"),
        Index("ix_bl_labour_date_id", "date", "id"),
        # a filtered page walks an index in sort order; the monthly report reads one index
        Index("ix_bl_labour_project_date", "project_id", "date", "id"),
        Index("ix_bl_labour_crew_date", "crew_id", "date", "id"),
        Index("ix_bl_labour_state_date", "state", "date", "id"),
        Index("ix_bl_labour_trade_date", "trade", "date", "id"),
        Index("ix_bl_labour_report", "trade", "date", "hours", "amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    project_id: Mapped[int] = mapped_column(ForeignKey("bl_project.id"))
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("bl_crew.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    worker: Mapped[str] = mapped_column(String(50))
    trade: Mapped[str | None] = mapped_column(String(20))
    hours: Mapped[Decimal] = mapped_column(Scaled(19, 1))
    amount: Mapped[Decimal] = mapped_column(Scaled(20, 2))
    overtime_reason: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[str] | None] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    checked: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)


class BlLabourItem(Base):
    __tablename__ = "bl_labour_item"

    labour_id: Mapped[int] = mapped_column(
        ForeignKey("bl_labour.id", ondelete="CASCADE"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    task: Mapped[str] = mapped_column(String(100))
    hours: Mapped[Decimal] = mapped_column(Scaled(19, 1))
    rate: Mapped[Decimal] = mapped_column(Scaled(20, 2))
    amount: Mapped[Decimal] = mapped_column(Scaled(20, 2))


def index_columns() -> list[tuple[str, ...]]:
    """The column lists of bl_labour's secondary indexes (to compare with the engine's)."""
    return [tuple(c.name for c in ix.columns) for ix in BlLabour.__table__.indexes]


def create_tables(engine: Engine) -> None:
    """Create the baseline tables (and indexes) in the benchmark database."""
    Base.metadata.create_all(engine)


# --- loading ------------------------------------------------------------------------------

CENT = Decimal("0.01")


def load_projects(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    session.execute(
        insert(BlProject.__table__), [{"id": n + 1, **row} for n, row in enumerate(rows)]
    )


def load_crews(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    session.execute(insert(BlCrew.__table__), [{"id": n + 1, **row} for n, row in enumerate(rows)])


@dataclass(frozen=True)
class Numbered:
    """A generated tally with the key, number and creation time it was given."""

    id: int
    number: str
    created_at: dt.datetime
    data: Mapping[str, Any]


def load_labour(session: Session, records: Iterable[Numbered], owner: str) -> None:
    """Insert tallies with their item rows: formulas computed here, nothing validated."""
    parents: list[dict[str, Any]] = []
    children: list[dict[str, Any]] = []
    for record in records:
        data = record.data
        hours = Decimal(0)
        amount = Decimal(0)
        for idx, item in enumerate(data["items"]):
            line = (item["hours"] * item["rate"]).quantize(CENT, rounding=ROUND_HALF_UP)
            hours += item["hours"]
            amount += line
            children.append(
                {
                    "labour_id": record.id,
                    "idx": idx,
                    "task": item["task"],
                    "hours": item["hours"],
                    "rate": item["rate"],
                    "amount": line,
                }
            )
        parents.append(
            {
                "id": record.id,
                "number": record.number,
                "state": "draft",
                "owner": owner,
                "created_at": record.created_at,
                "updated_at": record.created_at,
                "project_id": data["project"] + 1,
                "crew_id": data["crew"] + 1,
                "date": dt.date.fromisoformat(data["date"]),
                "worker": data["worker"],
                "trade": data["trade"],
                "hours": hours,
                "amount": amount,
                "overtime_reason": data["overtime_reason"] if hours > 8 else None,
                "tags": data.get("tags") or None,
                "checked": data["checked"],
                "notes": data["notes"],
            }
        )
    # Core inserts: one executemany each (the ORM's bulk path would split the rows into
    # groups by which columns are null, one statement per group)
    session.execute(insert(BlLabour.__table__), parents)
    session.execute(insert(BlLabourItem.__table__), children)


# --- the list page, totals and the grouped sum --------------------------------------------


@dataclass
class Page:
    """One page of tallies as the hand-written view hands it to its template."""

    rows: list[dict[str, Any]]
    total: int
    hours: Decimal | None
    amount: Decimal | None


LIST_COLUMNS = (
    BlLabour.id,
    BlLabour.number,
    BlLabour.state,
    BlLabour.owner,
    BlLabour.created_at,
    BlLabour.updated_at,
    BlLabour.project_id,
    BlLabour.crew_id,
    BlLabour.date,
    BlLabour.worker,
    BlLabour.trade,
    BlLabour.hours,
    BlLabour.amount,
    BlLabour.overtime_reason,
    BlLabour.tags,
    BlLabour.checked,
    BlLabour.notes,
    BlProject.name.label("project_name"),
    BlCrew.name.label("crew_name"),
)


def list_page(
    session: Session,
    trade: str | None,
    page: int,
    per_page: int,
    *,
    with_items: bool = True,
) -> Page:
    """Tallies newest first (optionally of one trade): the page, its items and the totals."""
    where = [BlLabour.trade == trade] if trade is not None else []
    rows = [
        dict(row._mapping)
        for row in session.execute(
            select(*LIST_COLUMNS)
            .outerjoin(BlProject, BlProject.id == BlLabour.project_id)
            .outerjoin(BlCrew, BlCrew.id == BlLabour.crew_id)
            .where(*where)
            .order_by(BlLabour.date.desc(), BlLabour.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    ]
    if with_items and rows:
        by_id: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
        for item in session.execute(
            select(
                BlLabourItem.labour_id,
                BlLabourItem.task,
                BlLabourItem.hours,
                BlLabourItem.rate,
                BlLabourItem.amount,
            )
            .where(BlLabourItem.labour_id.in_(list(by_id)))
            .order_by(BlLabourItem.labour_id, BlLabourItem.idx)
        ):
            by_id[item.labour_id].append(
                {"task": item.task, "hours": item.hours, "rate": item.rate, "amount": item.amount}
            )
        for row in rows:
            row["items"] = by_id[row["id"]]
    total, hours, amount = session.execute(
        select(func.count(), func.sum(BlLabour.hours), func.sum(BlLabour.amount)).where(*where)
    ).one()
    return Page(rows, total, hours, amount)


def month_of(session: Session, column: Any) -> Any:
    """`YYYY-MM` of a date column, in the dialect at hand."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def monthly_sums(session: Session) -> list[dict[str, Any]]:
    """Lines, hours and amount per trade and month, in trade and month order."""
    month = month_of(session, BlLabour.date)
    statement = (
        select(
            BlLabour.trade.label("trade"),
            month.label("month"),
            func.count().label("lines"),
            func.sum(BlLabour.hours).label("hours"),
            func.sum(BlLabour.amount).label("amount"),
        )
        .group_by(BlLabour.trade, month)
        .order_by(BlLabour.trade, month)
    )
    return [dict(row._mapping) for row in session.execute(statement)]


def count_rows(session_factory: sessionmaker[Session]) -> tuple[int, int]:
    """Tallies and item rows stored."""
    with session_factory() as session:
        return (
            session.scalar(select(func.count()).select_from(BlLabour)) or 0,
            session.scalar(select(func.count()).select_from(BlLabourItem)) or 0,
        )
