"""``commonground purge``: remove what is past its retention period, or, with ``--dry-run``, count it."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.cli.common import DatabaseUrl, open_services


def purge(
    database_url: DatabaseUrl = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would go and change nothing.")] = False,
) -> None:
    """Purge operation details past COMMONGROUND_OPERATION_RETENTION_DAYS and subjects past their period."""
    services = open_services(database_url)
    try:
        counts = services.retention.purge(dry_run=dry_run)
    finally:
        services.close()
    for line in counts.lines():
        typer.echo(line)
