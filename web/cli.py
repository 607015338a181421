"""The `formwork` command line: database, packs, users, tokens, background work and the server.

One click group serves three doors: the `formwork` script, `python -m web` and
`flask --app web` (create_app registers the same commands on the app's cli). Each command
runs in one database transaction, so it is written entirely or not at all, and reports
engine errors in one place (web/cli_common.py). The commands live in files by concept
(web/cli_*.py); this file only puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from web.cli_background import tick_command, webhooks, worker
from web.cli_common import command_engine, formwork_group, report_error, safe_url
from web.cli_imports import imports
from web.cli_packs import packs
from web.cli_records import records
from web.cli_serve import serve
from web.cli_users import DEMO_USERS, demo_users, tokens, users

__all__ = ["DEMO_USERS", "cli", "main", "report_error"]


@formwork_group(help="Formwork: forms, workflows and reports from JSON packs.")
def cli() -> None:
    pass


@cli.command("init-db")
def init_db() -> None:
    """Create the database or upgrade it to the current schema (safe to repeat)."""
    from engine.migrate import upgrade_database

    with command_engine() as engine:
        revision = upgrade_database(engine)
        click.echo(f"Database {safe_url(engine)} is at revision {revision}.")


for _command in (
    packs,
    records,
    imports,
    users,
    tokens,
    demo_users,
    tick_command,
    worker,
    webhooks,
    serve,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `formwork` script and `python -m web`."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="formwork")
