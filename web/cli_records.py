"""`formwork records …`: maintenance of the records' stored values."""

from __future__ import annotations

from typing import Any

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


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        header, sep, target = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r}: write it as Header=field", param_hint="--map")
        found[header.strip()] = target.strip()
    return found


def _shown(value: Any) -> str:
    """A stored value as the preview prints it: child rows as `[a=1, b=2; a=3]`."""
    if isinstance(value, list) and all(isinstance(row, dict) for row in value):
        rows = (
            ", ".join(f"{k}={v}" for k, v in row.items() if v not in (None, "")) for row in value
        )
        return "[" + "; ".join(rows) + "]"
    return str(value)


def _print_import(result: Any) -> None:
    where = f"sheet {result.sheet}" if result.sheet else f"encoding {result.encoding}"
    click.echo(f"Read {where}; columns:")
    for header, target in result.mapping.items():
        click.echo(f"  {header} → {target}")
    for sheet, mapping in result.child_sheets.items():
        click.echo(f"Sheet {sheet} (child rows):")
        for header, target in mapping.items():
            click.echo(f"  {header} → {target}")
    if result.unmapped:
        click.echo(f"Not imported: {', '.join(result.unmapped)}")
    fields = {target.partition(".")[0] for target in result.mapping.values()}
    fields |= {t.partition(".")[0] for m in result.child_sheets.values() for t in m.values()}
    if result.sample:
        click.echo(f"First rows as stored ({min(len(result.sample), 5)} shown):")
    for record in result.sample[:5]:
        shown = ", ".join(f"{k}={_shown(v)}" for k, v in record.data.items() if k in fields and v)
        click.echo(f"  {record.number}: {shown}")
    for p in result.problems:
        place = f"row {p.row}" if p.row is not None else "file"
        click.echo(f"{place}{f', {p.column}' if p.column else ''}: {p.message}", err=True)


def _queue(
    module: str,
    file: str,
    as_user: str | None,
    mapping: dict[str, str],
    encoding: str | None,
    sheet: str | None,
    *,
    key: str | None,
    mode: str,
    dry_run: bool,
) -> None:
    """Store FILE and queue its import for `formwork worker`; print the job's id."""
    from pathlib import Path

    from web.cli_imports import queue_file

    job_id = queue_file(
        module,
        Path(file),
        as_user,
        mapping=mapping,
        key=key,
        mode=mode,
        encoding=encoding,
        sheet=sheet,
        dry_run=dry_run,
    )
    click.echo(job_id)
    click.echo(f"Queued as import {job_id}: `formwork imports show {job_id}`.", err=True)


@records.command("import")
@click.argument("module")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--sheet", help="The workbook's sheet (the first by default).")
@click.option("--encoding", help="The CSV's encoding (detected by default): utf-8, gbk…")
@click.option(
    "--map",
    "pairs",
    multiple=True,
    help="Header=field (Sheet!Header=field for a child sheet), overriding the mapping.",
)
@click.option("--key", help="Update the record whose FIELD (or $number) matches the row's.")
@click.option("--valid-only", is_flag=True, help="Write the valid rows, set the others aside.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.option("--as", "as_user", help="Import as this user (an administrator by default).")
@click.option(
    "--background", is_flag=True, help="Queue it for `formwork worker`; prints the job's id."
)
def import_command(
    module: str,
    file: str,
    sheet: str | None,
    encoding: str | None,
    pairs: tuple[str, ...],
    key: str | None,
    valid_only: bool,
    dry_run: bool,
    as_user: str | None,
    background: bool,
) -> None:
    """Import the rows of FILE (CSV in UTF-8 or GBK, or XLSX) as records of MODULE.

    Nothing is written when any row has a problem, unless --valid-only: then the valid rows
    are written and the rejected ones are saved beside FILE with an error column. With
    --background the file is stored and queued; `formwork imports show ID` follows it.
    """
    if background:
        mode = "valid" if valid_only else "all"
        mapping = _mapping(pairs)
        _queue(module, file, as_user, mapping, encoding, sheet, key=key, mode=mode, dry_run=dry_run)
        return
    from engine.accounts import actor_of
    from engine.actor import SYSTEM
    from engine.imports import apply_import, preview, write_rejected
    from engine.user_lookup import get_user

    with command_session() as session:
        actor = actor_of(get_user(session, as_user)) if as_user else SYSTEM
        run = preview if dry_run else apply_import
        mode = "valid" if valid_only else "all"
        mapping = _mapping(pairs)
        result = run(
            session, module, file, actor, mapping, key, mode=mode, encoding=encoding, sheet=sheet
        )
    _print_import(result)
    verb = "Would create" if dry_run else "Created"
    click.echo(
        f"{verb} {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
        f"rejected {len(result.rejected)}."
    )
    if (result.rejected or result.orphans) and valid_only and not dry_run:
        path = write_rejected(result, f"{file}.rejected.csv")
        click.echo(f"Rejected rows written to {path}")
    if result.problems and not (valid_only and result.written):
        raise SystemExit(1)
