"""A list's XLSX export imports back as it was: into the same database every record is
unchanged, and into a database without them the same records come back (links, users,
choices, dates, money and child rows), for the bundled modules with child tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from engine import accounts
from engine.catalog import load_catalog
from engine.db import transaction
from engine.imports import apply_import
from engine.packs import import_pack
from engine.records import ListQuery, delete_record, list_records, update_record
from tests.web.helpers import ROOT
from web.cli import cli

ZH = {"Accept-Language": "zh-CN"}
# module → the packs it needs beyond construction (installed by every app)
MODULES = {
    "goods_receipt": ["materials"],
    "stock_issue": ["materials"],
    "labour_tally": ["labour"],
    "cost_centre": [],
    "inspection": ["inspections"],
}


def _install(app: Flask, packs: list[str]) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        for pack in packs:
            import_pack(session, (ROOT / "modules" / f"{pack}.json").read_text("utf-8"))


def _admin(session: Session) -> Any:
    return accounts.actor_of(accounts.get_user(session, "admin"))


def _records(app: Flask, module: str) -> dict[str, tuple[int, dict[str, Any]]]:
    """Number → (version, data) of every record, child rows included."""
    with transaction(app.extensions["formwork"].session_factory) as session:
        query = ListQuery(per_page=1000, with_totals=False)
        page = list_records(session, module, _admin(session), query)
        return {r.number or r.id: (r.version, r.data) for r in page.items}


def _export(client: FlaskClient, module: str, tmp_path: Path, **params: str) -> Path:
    response = client.get(
        f"/m/{module}/export", query_string={"format": "xlsx", **params}, headers=ZH
    )
    assert response.status_code == 200, response.text
    path = tmp_path / f"{module}.xlsx"
    path.write_bytes(response.data)
    return path


def _import(app: Flask, module: str, path: Path, key: str | None = None, mode: str = "all") -> Any:
    with transaction(app.extensions["formwork"].session_factory) as session:
        return apply_import(session, module, path, _admin(session), key=key, mode=mode)


def _without_ids(data: dict[str, Any]) -> dict[str, Any]:
    """A record's values as a person compares them: child rows without their row ids."""
    return {
        k: [{c: v for c, v in row.items() if c not in ("id", "row_id")} for row in value]
        if isinstance(value, list) and value and isinstance(value[0], dict)
        else value
        for k, value in data.items()
    }


def _locked(app: Flask, module: str) -> set[str]:
    """The numbers of the records in a read-only state (submitted, approved, received…)."""
    with transaction(app.extensions["formwork"].session_factory) as session:
        definition = load_catalog(session).module(module)
        page = list_records(session, module, _admin(session), ListQuery(per_page=1000))
        states = definition.workflow.states if definition.workflow else {}
        return {r.number for r in page.items if r.state in states and states[r.state].readonly}


def _formula_like_text(app: Flask, module: str, locked: set[str]) -> None:
    """A text field of an open record given text a spreadsheet would run as a formula: the
    export writes it with an apostrophe before it, and the import reads it back without."""
    with transaction(app.extensions["formwork"].session_factory) as session:
        definition = load_catalog(session).module(module)
        text = next(
            f.name
            for f in definition.fields
            if f.kind == "text" and not (f.computed or f.read_only or "pattern" in f.schema)
        )
        page = list_records(session, module, _admin(session), ListQuery(per_page=1000))
        record = next((r for r in page.items if r.number not in locked), None)
        if record is None:  # every record is locked (the stock issues)
            return
        changed = {text: "=1+2 ＠SUM(A1)"}
        update_record(session, module, record.id, record.version, changed, _admin(session))


@pytest.mark.parametrize("module", MODULES)
def test_an_export_imports_back_unchanged(
    app: Flask,
    client: FlaskClient,
    sign_in: Callable[[str], FlaskClient],
    tmp_path: Path,
    module: str,
) -> None:
    _install(app, MODULES[module])
    locked = _locked(app, module)
    _formula_like_text(app, module, locked)
    before = _records(app, module)
    assert any(isinstance(v, list) and v for _, data in before.values() for v in data.values())
    sign_in("admin")
    path = _export(client, module, tmp_path, fields="all")
    book = load_workbook(path, read_only=True)
    assert len(book.sheetnames) >= 2  # the records, then a sheet per child table
    numbers = [row[0].value for row in book.worksheets[0].iter_rows(min_row=2)]
    assert sorted(numbers) == sorted(before)
    result = _import(app, module, path, key="$number")
    # every record is found unchanged, its child rows included, those in a read-only state too
    assert locked
    assert result.problems == []
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == len(before)
    assert _records(app, module) == before


def test_a_locked_record_imports_back_unchanged(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient], tmp_path: Path
) -> None:
    _install(app, MODULES["goods_receipt"])
    assert _locked(app, "goods_receipt")
    sign_in("admin")
    path = _export(client, "goods_receipt", tmp_path)
    result = _import(app, "goods_receipt", path, key="$number")
    assert result.problems == []


def _delete_all(app: Flask, module: str) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        main = load_catalog(session).tables[module].main
        for record_id in [row.id for row in session.execute(main.select())]:
            delete_record(session, module, record_id, _admin(session))


def _values(records: dict[str, tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The records' values as a person compares them: without their numbers or row ids."""
    found = (
        {k: v for k, v in _without_ids(d).items() if k != "number"} for _, d in records.values()
    )
    return sorted(found, key=repr)


def test_the_command_line_recreates_an_exported_list(
    app: Flask,
    client: FlaskClient,
    sign_in: Callable[[str], FlaskClient],
    tmp_path: Path,
    database_url: str,
) -> None:
    _install(app, MODULES["labour_tally"])
    before = _records(app, "labour_tally")
    sign_in("accountant")  # may export tallies, not import them
    path = _export(client, "labour_tally", tmp_path, fields="all")
    _delete_all(app, "labour_tally")
    runner = CliRunner(env={"DATABASE_URL": database_url})
    done = runner.invoke(cli, ["records", "import", "labour_tally", str(path)])
    assert done.exit_code == 0, done.output
    assert f"Created {len(before)}, updated 0, unchanged 0, rejected 0." in done.stdout
    # what nobody types is left out, and the numbers only gathered the rows
    assert "Not imported: 合计工时, 合计金额, 状态, 平均单价, 单号" in done.stdout
    assert _values(_records(app, "labour_tally")) == _values(before)


@pytest.mark.parametrize("module", ["goods_receipt", "labour_tally", "cost_centre"])
def test_an_export_recreates_its_records_where_they_are_gone(
    app: Flask,
    client: FlaskClient,
    sign_in: Callable[[str], FlaskClient],
    tmp_path: Path,
    module: str,
) -> None:
    _install(app, MODULES[module])
    before = _records(app, module)
    sign_in("admin")
    path = _export(client, module, tmp_path, fields="all")
    _delete_all(app, module)
    assert _records(app, module) == {}
    result = _import(app, module, path)
    assert [(p.sheet, p.row, p.column, p.code, p.message) for p in result.problems] == []
    assert result.created == len(before)
    assert _values(_records(app, module)) == _values(before)


def test_several_users_of_a_field_come_back_as_they_were(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient], tmp_path: Path
) -> None:
    _install(app, ["risks", "weekly"])  # a schedule line's people consulted: several users
    with transaction(app.extensions["formwork"].session_factory) as session:
        page = list_records(session, "schedule", _admin(session), ListQuery(per_page=1))
        task = page.items[0]
        people = {"consulted": ["foreman", "manager"], "accountable": "accountant"}
        update_record(session, "schedule", task.id, task.version, people, _admin(session))
    before = _records(app, "schedule")
    sign_in("admin")
    path = _export(client, "schedule", tmp_path, fields="all")
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    consulted = rows[0].index("咨询人（C）")
    line = next(r for r in rows if r[0] == task.number)
    assert "、" in line[consulted]  # two people, by the names the list shows
    result = _import(app, "schedule", path, key="$number", mode="valid")
    assert [p.code for p in result.problems] == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(before))
    assert _records(app, "schedule") == before
