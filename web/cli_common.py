"""What every `formwork` command shares: error reporting, the database, aligned output.

Engine errors are reported in one place (FormworkCommand): a plain message, one
`path: message` line per problem, exit code 1, never a traceback. Under `flask --app web`
the app's database is used; otherwise `DATABASE_URL` (see engine.db). The command modules
(web/cli_*.py) build on this file only; web/cli.py puts them together.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.db import database_url, make_engine, make_session_factory, transaction
from engine.errors import (
    DefinitionError,
    ExpressionError,
    FormworkError,
    ProblemsError,
    UpgradeRefused,
    ValidationFailed,
)

_PROBLEM_HEADINGS: dict[type[ProblemsError], str] = {
    DefinitionError: "the pack was refused; nothing was imported",
    UpgradeRefused: "the upgrade was refused; nothing was changed",
    ValidationFailed: "invalid input; nothing was changed",
}


class FormworkCommand(click.Command):
    """A command whose engine errors become a clear message and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FormworkError as error:
            report_error(error)
            ctx.exit(1)
        except OperationalError as error:  # unreachable server, locked file, bad credentials
            click.echo(f"Error: database: {str(error.orig).strip()}", err=True)
            ctx.exit(1)


class FormworkGroup(click.Group):
    """A group whose commands and subgroups report engine errors the same way."""

    command_class = FormworkCommand
    group_class = type  # subgroups are FormworkGroups too


def report_error(error: FormworkError) -> None:
    """Print an engine error for a person: a heading, then one line per problem."""
    if isinstance(error, ProblemsError):
        heading = next(
            (text for kind, text in _PROBLEM_HEADINGS.items() if isinstance(error, kind)),
            "refused",
        )
        count = len(error.problems)
        click.echo(f"Error: {heading} ({count} problem{'s' if count != 1 else ''}):", err=True)
        for problem in error.problems:
            click.echo(f"{problem.path or '/'}: {problem.message}", err=True)
    elif isinstance(error, ExpressionError):
        click.echo(f"Error: expression: {error}", err=True)
    else:
        click.echo(f"Error: {error}", err=True)


# a group or command of the formwork command line, reporting engine errors as above
formwork_group = partial(click.group, cls=FormworkGroup)
formwork_command = partial(click.command, cls=FormworkCommand)


# -- database access -------------------------------------------------------------------


def _app_engine() -> Engine | None:
    """The engine of the Flask app running this command (`flask --app web ...`), if any."""
    from flask import current_app, has_app_context
    from flask.cli import ScriptInfo

    if has_app_context():
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy typed as Flask
    else:
        ctx = click.get_current_context(silent=True)
        info = ctx.find_object(ScriptInfo) if ctx is not None else None
        if info is None:
            return None
        app = info.load_app()
    state = app.extensions.get("formwork")
    return state.engine if state is not None else None


@contextmanager
def command_engine() -> Iterator[Engine]:
    app_engine = _app_engine()
    if app_engine is not None:
        yield app_engine
        return
    engine = make_engine(database_url())
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def command_session() -> Iterator[Session]:
    """One transaction for the whole command: committed on success, else rolled back."""
    with command_engine() as engine:
        require_current_schema(engine)
        with transaction(make_session_factory(engine)) as session:
            yield session


def require_current_schema(engine: Engine) -> None:
    from engine.migrate import current_revision, head_revision

    revision, head = current_revision(engine), head_revision()
    if revision != head:
        state = "is empty" if revision is None else f"is at revision {revision}, not {head}"
        raise click.ClickException(
            f"the database {safe_url(engine)} {state}: run `formwork init-db` first"
        )


def safe_url(engine: Engine) -> str:
    return make_url(engine.url).render_as_string(hide_password=True)


# -- output ----------------------------------------------------------------------------


def print_table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print aligned columns; Chinese characters count as two columns wide."""
    widths = [max(_width(cell) for cell in column) for column in zip(headings, *rows, strict=True)]
    for row in (headings, *rows):
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)]
        click.echo("  ".join(cells).rstrip())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def moment(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""
