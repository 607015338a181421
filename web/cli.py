"""The `formwork` command line: database, packs, users, tokens and the server.

One click group serves three doors: the `formwork` script, `python -m web` and
`flask --app web` (create_app registers the same commands on the app's cli). Each command
runs in one database transaction, so it is written entirely or not at all. Engine errors
are reported in one place (FormworkCommand): a plain message, one `path: message` line per
problem, exit code 1, never a traceback. Under `flask --app web` the app's database is
used; otherwise `DATABASE_URL` (see engine.db).
"""

from __future__ import annotations

import json
import secrets
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine import accounts
from engine.db import database_url, make_engine, make_session_factory, transaction
from engine.errors import (
    DefinitionError,
    ExpressionError,
    FormworkError,
    ProblemsError,
    UpgradeRefused,
    ValidationFailed,
)

# The demo users `formwork demo-users` creates: name, role, display name.
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "admin", "Administrator"),
    ("foreman", "foreman", "Foreman"),
    ("manager", "site_manager", "Site manager"),
    ("accountant", "accountant", "Accountant"),
    ("planner", "planner", "Planner"),
    ("viewer", "viewer", "Viewer"),
)
DEMO_MANAGER = "manager"
DEMO_PROJECT_MODULE = "project"

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


# -- database access -------------------------------------------------------------------


def _app_engine() -> Engine | None:
    """The engine of the Flask app running this command (`flask --app web ...`), if any."""
    from flask import current_app, has_app_context
    from flask.cli import ScriptInfo

    if has_app_context():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    else:
        ctx = click.get_current_context(silent=True)
        info = ctx.find_object(ScriptInfo) if ctx is not None else None
        if info is None:
            return None
        app = info.load_app()
    state = app.extensions.get("formwork")
    return state.engine if state is not None else None


@contextmanager
def _engine() -> Iterator[Engine]:
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
def _session() -> Iterator[Session]:
    """One transaction for the whole command: committed on success, else rolled back."""
    with _engine() as engine:
        _require_current_schema(engine)
        with transaction(make_session_factory(engine)) as session:
            yield session


def _require_current_schema(engine: Engine) -> None:
    from engine.migrate import current_revision, head_revision

    revision, head = current_revision(engine), head_revision()
    if revision != head:
        state = "is empty" if revision is None else f"is at revision {revision}, not {head}"
        raise click.ClickException(
            f"the database {_safe_url(engine)} {state}: run `formwork init-db` first"
        )


def _safe_url(engine: Engine) -> str:
    return make_url(engine.url).render_as_string(hide_password=True)


# -- commands --------------------------------------------------------------------------


@click.group(cls=FormworkGroup, help="Formwork: forms, workflows and reports from JSON packs.")
def cli() -> None:
    pass


@cli.command("init-db")
def init_db() -> None:
    """Create the database or upgrade it to the current schema (safe to repeat)."""
    from engine.migrate import upgrade_database

    with _engine() as engine:
        revision = upgrade_database(engine)
        click.echo(f"Database {_safe_url(engine)} is at revision {revision}.")


# packs


@cli.group()
def packs() -> None:
    """Import, export and list module packs."""


@packs.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def packs_import(file: Path, dry_run: bool) -> None:
    """Install or upgrade the pack in FILE (a JSON file)."""
    from engine.packs import import_pack

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file}: not UTF-8 text ({error.reason})") from None
    with _session() as session:
        report = import_pack(session, text, dry_run=dry_run)
        lines = report.lines()
    for line in lines:
        click.echo(line)


@packs.command("export")
@click.argument("pack_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
def packs_export(pack_id: str, output: Path | None) -> None:
    """Write an installed pack as JSON."""
    from engine.packs import export_pack

    with _session() as session:
        definition = export_pack(session, pack_id)
    text = json.dumps(definition, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote pack {pack_id} to {output}.", err=True)


@packs.command("list")
def packs_list() -> None:
    """List the installed packs with their versions and modules."""
    from engine.i18n import localize
    from engine.packs import list_packs

    with _session() as session:
        summaries = list_packs(session)
    if not summaries:
        click.echo("No packs installed.")
        return
    rows = [(s.id, s.version, localize(s.title), ", ".join(s.modules) or "-") for s in summaries]
    _table(("PACK", "VERSION", "TITLE", "MODULES"), rows)


# users


@cli.group()
def users() -> None:
    """Create, deactivate and list users."""


def _parse_grants(
    _ctx: click.Context, _param: click.Parameter, values: Sequence[str]
) -> list[tuple[str, str]]:
    grants = []
    for value in values:
        module, sep, record_id = value.partition("=")
        if not sep or not module or not record_id:
            raise click.BadParameter(f"{value!r} is not MODULE=RECORD_ID")
        grants.append((module, record_id))
    return grants


@users.command("create")
@click.argument("name")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (required).",
)
@click.option("--role", "roles", multiple=True, metavar="ROLE", help="A role to hold (repeat).")
@click.option(
    "--grant",
    "grants",
    multiple=True,
    metavar="MODULE=RECORD_ID",
    callback=_parse_grants,
    help="Access to one record, for row scopes (repeat).",
)
@click.option("--display-name", help="The name shown on pages.")
def users_create(
    name: str,
    password_stdin: bool,
    roles: tuple[str, ...],
    grants: list[tuple[str, str]],
    display_name: str | None,
) -> None:
    """Create user NAME; the password is never taken as an argument."""
    if not password_stdin:
        raise click.UsageError(
            "give the password on standard input with --password-stdin "
            "(a password on the command line would be visible to other users)"
        )
    password = sys.stdin.readline().rstrip("\r\n")
    with _session() as session:
        accounts.create_user(
            session, name, password, roles=roles, grants=grants, display_name=display_name
        )
    held = ", ".join(roles) or "none"
    click.echo(f"Created user {name} (roles: {held}; grants: {len(grants)}).")


@users.command("deactivate")
@click.argument("name")
def users_deactivate(name: str) -> None:
    """Deactivate user NAME: sign-in, sessions and API tokens stop working at once."""
    with _session() as session:
        before = [t for t in accounts.list_tokens(session, name) if t.revoked_at is None]
        accounts.deactivate_user(session, name)
    click.echo(f"Deactivated user {name}; {len(before)} API token(s) revoked.")


@users.command("list")
def users_list() -> None:
    """List every user with state and roles."""
    with _session() as session:
        rows = [
            (
                u.name,
                "active" if u.active else "inactive",
                ", ".join(sorted(accounts.role_ids(u))) or "-",
                u.display_name or "",
            )
            for u in accounts.list_users(session)
        ]
    if not rows:
        click.echo("No users.")
        return
    _table(("NAME", "STATE", "ROLES", "DISPLAY NAME"), rows)


@users.command("roles")
@click.argument("name")
@click.option("--role", "roles", multiple=True, metavar="ROLE", help="A role to hold (repeat).")
def users_roles(name: str, roles: tuple[str, ...]) -> None:
    """Set the roles of user NAME (none given: no roles); effective on their next request."""
    with _session() as session:
        accounts.set_roles(session, name, roles)
    click.echo(f"User {name} now holds: {', '.join(roles) or 'no roles'}.")


@users.command("grant")
@click.argument("name")
@click.argument(
    "grants", nargs=-1, required=True, callback=_parse_grants, metavar="MODULE=RECORD_ID..."
)
def users_grant(name: str, grants: list[tuple[str, str]]) -> None:
    """Give user NAME access to records, for row scopes."""
    with _session() as session:
        for module, record_id in grants:
            accounts.add_grant(session, name, module, record_id)
    click.echo(f"Granted {len(grants)} record(s) to {name}.")


@users.command("revoke-grant")
@click.argument("name")
@click.argument(
    "grants", nargs=-1, required=True, callback=_parse_grants, metavar="MODULE=RECORD_ID..."
)
def users_revoke_grant(name: str, grants: list[tuple[str, str]]) -> None:
    """Take grants away from user NAME."""
    with _session() as session:
        removed = sum(accounts.remove_grant(session, name, m, r) for m, r in grants)
    click.echo(f"Removed {removed} of {len(grants)} grant(s) from {name}.")


@users.command("grants")
@click.argument("name")
def users_grants(name: str) -> None:
    """List the records user NAME is granted."""
    with _session() as session:
        rows = [(g.module, g.record_id) for g in accounts.list_grants(session, name)]
    if not rows:
        click.echo(f"{name} has no grants.")
        return
    _table(("MODULE", "RECORD"), rows)


# tokens


@cli.group()
def tokens() -> None:
    """Create, list and revoke API tokens."""


@tokens.command("create")
@click.argument("name")
@click.option("--name", "token_name", default="cli", show_default=True, help="What it is for.")
def tokens_create(name: str, token_name: str) -> None:
    """Create an API token for user NAME and print it (shown only this once)."""
    with _session() as session:
        token = accounts.create_token(session, name, token_name)
    click.echo(token)
    click.echo(
        f"API token {token_name!r} for {name}: store it now, it cannot be shown again.",
        err=True,
    )


@tokens.command("list")
@click.argument("name")
def tokens_list(name: str) -> None:
    """List the API tokens of user NAME (never the tokens themselves)."""
    with _session() as session:
        rows = [
            (
                str(t.id),
                t.name,
                _moment(t.created_at),
                _moment(t.last_used_at) or "never",
                "revoked " + _moment(t.revoked_at) if t.revoked_at else "active",
            )
            for t in accounts.list_tokens(session, name)
        ]
    if not rows:
        click.echo(f"User {name} has no API tokens.")
        return
    _table(("ID", "NAME", "CREATED", "LAST USED", "STATE"), rows)


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke the API token with this id (see `tokens list`)."""
    with _session() as session:
        accounts.revoke_token(session, token_id)
    click.echo(f"Revoked API token {token_id}.")


# demo set-up


@cli.command("demo-users")
def demo_users() -> None:
    """Create the demo users with random passwords, printed once; existing ones are kept."""
    created: list[tuple[str, str, str]] = []
    skipped: list[str] = []
    with _session() as session:
        existing = {u.name for u in accounts.list_users(session)}
        for name, role, display_name in DEMO_USERS:
            if name in existing:
                skipped.append(name)
                continue
            password = secrets.token_urlsafe(12)
            accounts.create_user(session, name, password, roles=[role], display_name=display_name)
            created.append((name, role, password))
        granted = accounts.grant_every_record(session, DEMO_MANAGER, DEMO_PROJECT_MODULE)
    if created:
        click.echo("Demo users (the passwords are shown only this once):")
        _table(("NAME", "ROLE", "PASSWORD"), created)
    if skipped:
        click.echo(f"Already there, left unchanged: {', '.join(skipped)}.")
    if granted:
        click.echo(f"User {DEMO_MANAGER} may see {len(granted)} {DEMO_PROJECT_MODULE} record(s).")


# -- output ----------------------------------------------------------------------------


def _table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print aligned columns; Chinese characters count as two columns wide."""
    widths = [max(_width(cell) for cell in column) for column in zip(headings, *rows, strict=True)]
    for row in (headings, *rows):
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)]
        click.echo("  ".join(cells).rstrip())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _moment(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `formwork` script and `python -m web`."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="formwork")


# the serving and background-work commands register themselves on `cli`
import web.cli_background  # noqa: E402, F401
import web.cli_serve  # noqa: E402, F401
