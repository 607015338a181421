"""`formwork users …`, `formwork tokens …` and `formwork demo-users`: accounts and access.

Passwords are read from standard input only, never from the command line where other users
could see them; tokens and demo passwords are printed once.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Sequence

import click

from engine import accounts
from web.cli_common import command_session, formwork_command, formwork_group, moment, print_table

# The demo users `formwork demo-users` creates: name, role, display name.
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "admin", "Administrator"),
    ("foreman", "foreman", "Foreman"),
    ("manager", "site_manager", "Site manager"),
    ("accountant", "accountant", "Accountant"),
    ("planner", "planner", "Planner"),
    ("viewer", "viewer", "Viewer"),
)
# Demo users for roles that only some bundled packs declare (the office requests' director
# and seal keeper, the materials' storekeeper, the contracts' commercial manager): created
# once a pack declaring the role is installed, skipped before.
DEMO_PACK_USERS: tuple[tuple[str, str, str], ...] = (
    ("director", "director", "Director"),
    ("keeper", "seal_keeper", "Seal keeper"),
    ("storekeeper", "storekeeper", "Storekeeper"),
    ("commercial", "commercial", "Commercial manager"),
)
DEMO_MANAGER = "manager"
DEMO_PROJECT_MODULE = "project"


@formwork_group()
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
    with command_session() as session:
        accounts.create_user(
            session, name, password, roles=roles, grants=grants, display_name=display_name
        )
    held = ", ".join(roles) or "none"
    click.echo(f"Created user {name} (roles: {held}; grants: {len(grants)}).")


@users.command("deactivate")
@click.argument("name")
def users_deactivate(name: str) -> None:
    """Deactivate user NAME: sign-in, sessions and API tokens stop working at once."""
    with command_session() as session:
        before = [t for t in accounts.list_tokens(session, name) if t.revoked_at is None]
        accounts.deactivate_user(session, name)
    click.echo(f"Deactivated user {name}; {len(before)} API token(s) revoked.")


@users.command("reactivate")
@click.argument("name")
def users_reactivate(name: str) -> None:
    """Let deactivated user NAME sign in again; old sessions and API tokens stay ended."""
    with command_session() as session:
        accounts.reactivate_user(session, name)
    click.echo(f"Reactivated user {name}; they sign in again with their password.")


@users.command("list")
def users_list() -> None:
    """List every user with state and roles."""
    with command_session() as session:
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
    print_table(("NAME", "STATE", "ROLES", "DISPLAY NAME"), rows)


@users.command("roles")
@click.argument("name")
@click.option("--role", "roles", multiple=True, metavar="ROLE", help="A role to hold (repeat).")
def users_roles(name: str, roles: tuple[str, ...]) -> None:
    """Set the roles of user NAME (none given: no roles); effective on their next request."""
    with command_session() as session:
        accounts.set_roles(session, name, roles)
    click.echo(f"User {name} now holds: {', '.join(roles) or 'no roles'}.")


@users.command("grant")
@click.argument("name")
@click.argument(
    "grants", nargs=-1, required=True, callback=_parse_grants, metavar="MODULE=RECORD_ID..."
)
def users_grant(name: str, grants: list[tuple[str, str]]) -> None:
    """Give user NAME access to records, for row scopes."""
    with command_session() as session:
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
    with command_session() as session:
        removed = sum(accounts.remove_grant(session, name, m, r) for m, r in grants)
    click.echo(f"Removed {removed} of {len(grants)} grant(s) from {name}.")


@users.command("grants")
@click.argument("name")
def users_grants(name: str) -> None:
    """List the records user NAME is granted."""
    with command_session() as session:
        rows = [(g.module, g.record_id) for g in accounts.list_grants(session, name)]
    if not rows:
        click.echo(f"{name} has no grants.")
        return
    print_table(("MODULE", "RECORD"), rows)


# tokens


@formwork_group()
def tokens() -> None:
    """Create, list and revoke API tokens."""


@tokens.command("create")
@click.argument("name")
@click.option("--name", "token_name", default="cli", show_default=True, help="What it is for.")
def tokens_create(name: str, token_name: str) -> None:
    """Create an API token for user NAME and print it (shown only this once)."""
    with command_session() as session:
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
    with command_session() as session:
        rows = [
            (
                str(t.id),
                t.name,
                moment(t.created_at),
                moment(t.last_used_at) or "never",
                "revoked " + moment(t.revoked_at) if t.revoked_at else "active",
            )
            for t in accounts.list_tokens(session, name)
        ]
    if not rows:
        click.echo(f"User {name} has no API tokens.")
        return
    print_table(("ID", "NAME", "CREATED", "LAST USED", "STATE"), rows)


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke the API token with this id (see `tokens list`)."""
    with command_session() as session:
        accounts.revoke_token(session, token_id)
    click.echo(f"Revoked API token {token_id}.")


# demo set-up


@formwork_command("demo-users")
def demo_users() -> None:
    """Create the demo users with random passwords, printed once; existing ones are kept."""
    created: list[tuple[str, str, str]] = []
    skipped: list[str] = []
    with command_session() as session:
        existing = {u.name for u in accounts.list_users(session)}
        declared = accounts.declared_roles(session)
        wanted = [*DEMO_USERS, *(u for u in DEMO_PACK_USERS if u[1] in declared)]
        for name, role, display_name in wanted:
            if name in existing:
                skipped.append(name)
                continue
            password = secrets.token_urlsafe(12)
            accounts.create_user(session, name, password, roles=[role], display_name=display_name)
            created.append((name, role, password))
        granted = accounts.grant_every_record(session, DEMO_MANAGER, DEMO_PROJECT_MODULE)
    if created:
        click.echo("Demo users (the passwords are shown only this once):")
        print_table(("NAME", "ROLE", "PASSWORD"), created)
    if skipped:
        click.echo(f"Already there, left unchanged: {', '.join(skipped)}.")
    if granted:
        click.echo(f"User {DEMO_MANAGER} may see {len(granted)} {DEMO_PROJECT_MODULE} record(s).")
