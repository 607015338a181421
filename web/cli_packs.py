"""`formwork packs …`: import (with a dry run), export, list, history and restore of packs."""

from __future__ import annotations

from pathlib import Path

import click

from web.cli_common import command_session, formwork_group, print_table


@formwork_group()
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
    with command_session() as session:
        report = import_pack(session, text, dry_run=dry_run, by=None)  # None: the command line
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
    from engine.packs.installed import export_text

    with command_session() as session:
        text = export_text(session, pack_id)
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

    with command_session() as session:
        summaries = list_packs(session)
    if not summaries:
        click.echo("No packs installed.")
        return
    rows = [(s.id, s.version, localize(s.title), ", ".join(s.modules) or "-") for s in summaries]
    print_table(("PACK", "VERSION", "TITLE", "MODULES"), rows)


@packs.command("history")
@click.argument("pack_id")
def packs_history(pack_id: str) -> None:
    """List every version PACK_ID has had and who installed it (newest first)."""
    from engine.packs.history import pack_history

    with command_session() as session:
        past = pack_history(session, pack_id)
    rows = [
        (
            v.version + (" *" if v.current else ""),
            v.installed_by or "-",
            v.installed_at.isoformat(timespec="seconds"),
        )
        for v in past.versions
    ]
    print_table(("VERSION", "INSTALLED BY", "FIRST INSTALLED"), rows)


@packs.command("restore")
@click.argument("pack_id")
@click.argument("version")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def packs_restore(pack_id: str, version: str, dry_run: bool) -> None:
    """Install an earlier VERSION of PACK_ID again, through the same checks as an import."""
    from engine.packs.history import restore_pack

    with command_session() as session:
        report = restore_pack(session, pack_id, version, by=None, dry_run=dry_run)
        lines = report.lines()
    for line in lines:
        click.echo(line)
