"""`formwork records …`: maintenance of the records' stored values."""

from __future__ import annotations

import click

from web.cli_common import command_session, formwork_group


@formwork_group()
def records() -> None:
    """Work on the records of installed modules."""


@records.command("rebuild-rollups")
@click.argument("module", required=False)
def rebuild_rollups_command(module: str | None) -> None:
    """Recompute every stored rollup (of MODULE only, when given) from the records.

    Rollups are kept current on every write; this is for a database changed behind the
    engine's back, or to check that nothing drifted.
    """
    from engine.records.rollups import rebuild_rollups

    with command_session() as session:
        count = rebuild_rollups(session, [module] if module else None)
    where = f" of {module}" if module else ""
    click.echo(f"Recomputed {count} rollup{'s' if count != 1 else ''}{where}.")
