"""A report's rows as a page shows them: column titles, cell text, totals, sort, links.

The rows come from `engine.reports.run_compiled_report` exactly as the API serves them;
this module only names and formats them for people. A group that is a plain field shows
as that field shows on the list (a choice's label, a linked record's title, a user's
name); a group by `month(date)` or `year(date)` keeps its text. A row links to the
module's list filtered to that row's records when every group of the report (and its
`where`, if it is a plain `field == 'value'`) can be written as list filters.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Field, Module, Report
from engine.expressions import Expression
from engine.records import Filter, ListQuery, list_records
from engine.reports import IDENTIFIER, ReportResult, column_name
from web.i18n import text
from web.pages.formatting import field_title, record_title, value_text

CALL_ON_FIELD = re.compile(r"^(month|year)\(\s*([a-z][a-z0-9_]*)\s*\)$")
SIMPLE_WHERE = re.compile(r"^\s*(\$?[a-z][a-z0-9_]*)\s*==\s*'([^'\\]*)'\s*$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
YEAR = re.compile(r"^(\d{4})$")
MAX_TITLES = 200  # linked records named at once (the engine's largest page)


def _source(expression: Expression) -> str:
    return re.sub(r"\s+", "", expression.source)


@dataclass(frozen=True)
class Group:
    """One group column: its name in the rows and the expression it came from."""

    name: str
    source: str
    field: Field | None  # when the group is a plain field
    on_field: tuple[str, str] | None  # ("month", "date") for month(date)
    filter_name: str | None = None  # `lines.material`: a child row's column, as lists filter it


def named_field(module: Module, report: Report, name: str) -> Field | None:
    """The field a report names: in a report over child rows, the row's column first (a
    line's material), as the engine reads it (engine/report_rows.py); over several sources,
    the field the first source names plainly (engine/report_sources.py)."""
    rows = report.rows
    if report.sources:
        first = report.sources[0]
        value = first.values.get(name)
        if first.module != module.id or value is None or not IDENTIFIER.match(value.source):
            return None
        name, rows = value.source.strip(), first.rows
    table = module.field(rows) if rows else None
    column = next((c for c in table.children if c.name == name), None) if table else None
    return column or module.field(name)


def report_groups(report: Report, module: Module, visible: AbstractSet[str]) -> list[Group]:
    """The report's group columns the reader sees, named as `run_compiled_report` names them."""
    taken: set[str] = set()
    groups: list[Group] = []
    for expression in report.group_by:
        if any(ref[0] not in visible and module.field(ref[0]) for ref in expression.references):
            continue
        name = column_name(expression, taken)
        source = expression.source.strip()
        plain = named_field(module, report, source) if IDENTIFIER.match(source) else None
        call = CALL_ON_FIELD.match(_source(expression))
        on_field = (call.group(1), call.group(2)) if call else None
        column = plain is not None and plain is not module.field(source)
        path = f"{report.rows}.{source}" if column else None
        groups.append(Group(name, _source(expression), plain, on_field, path))
    return groups


FUNCTION_TITLES = {"month": lambda: _("Month"), "year": lambda: _("Year")}
AGGREGATE = re.compile(r"^(count|sum|avg|min|max)\(([a-z][a-z0-9_]*)?\)$")
AGGREGATE_TITLES = {
    "count": lambda field: _("Count"),
    "sum": lambda field: _("Sum of %(field)s", field=field),
    "avg": lambda field: _("Average of %(field)s", field=field),
    "min": lambda field: _("Lowest %(field)s", field=field),
    "max": lambda field: _("Highest %(field)s", field=field),
}


def measure_title(module: Module, name: str, expression: Expression | None) -> str:
    """A measure named after a field takes its title; else its aggregate says what it is
    (`count()` → Count, `avg(x)` → Average of X) in the reader's language; else its name."""
    if module.field(name) is not None:
        return field_title(module, name)
    match = AGGREGATE.match(_source(expression)) if expression is not None else None
    if match is None or (match.group(1) != "count" and not match.group(2)):
        return name.replace("_", " ")
    over = field_title(module, match.group(2)) if match.group(2) else ""
    return AGGREGATE_TITLES[match.group(1)](over)


def column_titles(
    module: Module, report: Report, groups: Sequence[Group], measures: Sequence[str]
) -> list[str]:
    """Headings: a group's field title, "Month" for month(…), then each measure's title."""
    titles = []
    for group in groups:
        if group.field is not None:
            titles.append(text(group.field.title) if group.field.title else group.field.name)
        elif group.on_field is not None:
            titles.append(FUNCTION_TITLES[group.on_field[0]]())
        elif (path := group.source.split("."))[0] in module.field_map and len(path) == 2:
            titles.append(f"{field_title(module, path[0])} · {path[1]}")  # `project.code`
        else:
            titles.append(group.name)
    titles += [_measure_heading(module, report, n) for n in measures]
    return titles


COMPARED_TITLES = {
    "previous": lambda title: _("%(measure)s, previous period", measure=title),
    "change": lambda title: _("%(measure)s, change", measure=title),
    "change_pct": lambda title: _("%(measure)s, change %%", measure=title),
}


def _measure_heading(module: Module, report: Report, name: str) -> str:
    """A measure's title (its own `title`, when the pack gives one); the columns a compared
    measure adds say what they hold."""
    own = report.options.get(name, {}).get("title")
    if own:
        return text(own)
    column = named_field(module, report, name) if report.rows else None
    if column is not None and column.title:  # `qty` over a child table's rows
        return text(column.title)
    for base in report.options:
        for suffix, title in COMPARED_TITLES.items():
            if name == f"{base}_{suffix}" and base in report.measures:
                return title(_measure_heading(module, report, base))
    return measure_title(module, name, report.measures.get(name))


def link_titles(
    session: Session,
    catalog: Catalog,
    groups: Sequence[Group],
    rows: Sequence[Mapping[str, Any]],
    who: Actor,
) -> dict[str, dict[Any, str]]:
    """The titles of the linked records a link group names (group name → id → title), read
    in one statement per linked module, within what `who` may read."""
    titles: dict[str, dict[Any, str]] = {}
    for group in groups:
        f = group.field
        if f is None or not f.kind_type.links or not f.ref or f.ref not in catalog.modules:
            continue
        ids = list(dict.fromkeys(r[group.name] for r in rows if r.get(group.name)))[:MAX_TITLES]
        if not ids:
            continue
        target = catalog.modules[f.ref]
        query = ListQuery(
            filters=(Filter("$id", "in", tuple(ids)),),
            per_page=MAX_TITLES,
            with_totals=False,
            with_children=False,
        )
        page = list_records(session, target.id, who, query)
        titles[group.name] = {r.id: record_title(target, r) for r in page.items}
    return titles


@dataclass
class Formatter:
    """Turns report values into text (pages, charts) and cells (spreadsheets)."""

    groups: Mapping[str, Group]
    titles: Mapping[str, Mapping[Any, str]]
    scales: Mapping[str, int]
    symbols: tuple[str, str] = (".", ",")  # the locale's decimal and group separators

    def text(self, column: str, value: Any) -> str:
        if value is None:
            return "—" if column in self.groups else ""
        if column in self.titles:
            return self.titles[column].get(value, str(value))
        group = self.groups.get(column)
        if group is not None:
            return value_text(group.field, value) if group.field is not None else str(value)
        if column in self.scales and isinstance(value, int | float | Decimal):
            return self.number(value, self.scales[column])
        return str(value)

    def number(self, value: float | Decimal, scale: int) -> str:
        """As `decimal_text` writes it, with the locale's symbols read once per page rather
        than once per cell (a report of a few hundred rows formats a thousand numbers)."""
        decimal, group = self.symbols
        shown = f"{value:,.{scale}f}"
        return shown.replace(",", "\0").replace(".", decimal).replace("\0", group)

    def cell(self, column: str, value: Any) -> Any:
        """A spreadsheet cell: numbers and dates keep their type; a group shows as text."""
        if column in self.groups and value is not None:
            group = self.groups[column]
            if group.field is not None and group.field.numeric:
                return value
            if not hasattr(value, "isoformat"):
                return self.text(column, value)
        if isinstance(value, float) and column in self.scales:
            return round(value, self.scales[column])
        return value

    def number_format(self, column: str) -> str | None:
        if column in self.scales:
            scale = self.scales[column]
            return "#,##0" + ("." + "0" * scale if scale else "")
        group = self.groups.get(column)
        if group is not None and group.field is not None and group.field.kind_type.cell == "date":
            return "yyyy-mm-dd"
        return None


def measure_scales(result: ReportResult) -> dict[str, int]:
    """Decimal places of each measure: a Decimal's own scale (a money sum keeps its two),
    0 for whole numbers, 2 for other fractions (an average)."""
    scales: dict[str, int] = {}
    for name in result.measures:
        values = [r[name] for r in result.rows if r.get(name) is not None]
        scale = 0
        for value in values[:50]:
            if isinstance(value, Decimal):
                exponent = value.as_tuple().exponent
                scale = max(scale, min(-exponent, 4) if isinstance(exponent, int) else 0)
            elif isinstance(value, float) and not value.is_integer():
                scale = max(scale, 2)
        scales[name] = scale
    return scales


def _group_filters(group: Group, value: Any) -> dict[str, str] | None:
    if group.field is not None:
        if value is None or value == "":
            return None
        return {f"filter[{group.filter_name or group.field.name}]": str(value)}
    if group.on_field is None or value is None:
        return None
    function, name = group.on_field
    month, year = MONTH.match(str(value)), YEAR.match(str(value))
    if function == "month" and month:
        y, m = int(month.group(1)), int(month.group(2))
        last = calendar.monthrange(y, m)[1]
        return {
            f"filter[{name}][gte]": f"{y:04d}-{m:02d}-01",
            f"filter[{name}][lte]": f"{y:04d}-{m:02d}-{last:02d}",
        }
    if function == "year" and year:
        return {f"filter[{name}][gte]": f"{value}-01-01", f"filter[{name}][lte]": f"{value}-12-31"}
    return None


def _grouped_field(group: Group) -> str | None:
    """The field a group's filters name (`date` for month(date))."""
    if group.field is not None:
        return group.filter_name or group.field.name
    return group.on_field[1] if group.on_field else None


class RowLinks:
    """The list address of a report row's records, when filters can say exactly which.
    Each row's address is made once (the chart and the table both ask)."""

    def __init__(
        self, module: Module, report: Report, groups: Sequence[Group], params: Mapping[str, str]
    ) -> None:
        self.groups = groups
        base = self._base(report, params)  # the page's filters and the report's where
        grouped = tuple(f"filter[{name}]" for name in map(_grouped_field, groups) if name)
        self.prefix: str | None = None
        if base is not None:
            kept = sorted((k, v) for k, v in base.items() if not k.startswith(grouped))
            url = url_for("lists.records", module_id=module.id)
            self.prefix = f"{url}?{urlencode(kept)}&" if kept else f"{url}?"
        self.made: dict[int, str | None] = {}

    @staticmethod
    def _base(report: Report, params: Mapping[str, str]) -> dict[str, str] | None:
        if report.sources:  # rows of several modules: no one list holds them
            return None
        if report.where is None:
            return dict(params)
        match = SIMPLE_WHERE.match(report.where.source)
        if match is None:
            return None
        return {**params, f"filter[{match.group(1)}]": match.group(2)}

    def __call__(self, row: Mapping[str, Any]) -> str | None:
        if id(row) not in self.made:
            self.made[id(row)] = self._make(row)
        return self.made[id(row)]

    def _make(self, row: Mapping[str, Any]) -> str | None:
        if self.prefix is None or not self.groups:
            return None
        args: dict[str, str] = {}
        for group in self.groups:
            more = _group_filters(group, row.get(group.name))
            if more is None:
                return None
            args.update(more)
        return self.prefix + urlencode(args)


def number_symbols() -> tuple[str, str]:
    """The request locale's decimal and group separators."""
    locale = get_locale()
    if locale is None:
        return ".", ","
    return get_decimal_symbol(locale), get_group_symbol(locale)


COMBINE = {
    "count": lambda values: sum(values),
    "sum": lambda values: sum(values),
    "min": lambda values: min(values),
    "max": lambda values: max(values),
}


def combined_totals(report: Report, result: ReportResult) -> dict[str, Any] | None:
    """The totals row from the grouped rows, when every measure is a count, sum, min or max
    (a sum of group sums is the sum; exact, as the sums are Decimals); None when one is not
    (an average of averages is not the average), so the caller asks the database."""
    totals: dict[str, Any] = {}
    for name in result.measures:
        expression = report.measures.get(name)
        match = AGGREGATE.match(_source(expression)) if expression is not None else None
        if match is None or match.group(1) not in COMBINE or report.options.get(name):
            return None  # a running total's total is the plain sum, asked of the database
        values = [r[name] for r in result.rows if r.get(name) is not None]
        totals[name] = COMBINE[match.group(1)](values) if values else None
    return totals
