"""``commonground sweep``: the independent re-check of every live pair."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.cli.common import DatabaseUrl, open_services


def sweep(
    database_url: DatabaseUrl = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when the sweep had to record anything.")] = False,
) -> None:
    """Recompute conflicts among live operations and record any the check missed; disable expired accounts; purge."""
    services = open_services(database_url)
    try:
        found = services.sweep.run()
        peers = services.reprobe.sweep()  # every live operation against every peer
        notices = services.federated_notices.retry_due(everything=True)  # every notice a peer has not taken
        disabled = services.lifecycle.expire()
        # a sweep every few minutes: no empty records; the audit log is pruned by `commonground purge` alone
        purged = services.retention.purge(record_empty=False, audit=False)
    finally:
        services.close()
    typer.echo(f"sweep: {found} missing conflicts recorded")
    typer.echo(
        f"sweep: {peers.asked} peer probes, {peers.answered} answered, {peers.still_unchecked} unchecked,"
        f" {peers.conflicts} conflicts with peer installations recorded"
    )
    typer.echo(f"sweep: {notices} jurisdiction notices owed to peer installations delivered")
    typer.echo(f"sweep: {disabled} accounts disabled (temporary ones expired, or unused too long)")
    for line in purged.lines():
        typer.echo(f"sweep: {line}")
    if strict and (found or peers.conflicts):
        raise typer.Exit(1)
