"""``commonground backup FILE`` and ``commonground restore FILE [--force]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonground import bootstrap
from commonground.cli.common import DatabaseUrl, settings_for

File = Annotated[Path, typer.Argument(help="the backup file (its audit head is written beside it, FILE.head.json)")]


def backup(file: File, database_url: DatabaseUrl = None) -> None:
    """Copy the database while it runs (SQLite backup API, or pg_dump in custom format), with its audit head."""
    head = bootstrap.backup_database(settings_for(database_url), file)
    typer.echo(f"backup: {file} ({head.store}), audit chain head #{head.seq} {head.hash[:16]}")


def restore(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a file made by `commonground backup`")],
    database_url: DatabaseUrl = None,
    force: Annotated[bool, typer.Option("--force", help="replace a database that already holds records")] = False,
) -> None:
    """Restore a backup into the database; refused over one that holds audit records unless --force."""
    try:
        head = bootstrap.restore_database(settings_for(database_url), file, force=force)
    except bootstrap.RestoreRefused as exc:
        typer.echo(f"restore: refused: {exc}", err=True)
        raise typer.Exit(2) from None
    said = f", audit chain head #{head.seq} {head.hash[:16]}: check it with `commonground audit verify`" if head else ""
    typer.echo(f"restore: {file} restored{said}")
