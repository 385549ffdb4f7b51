"""``commonground audit …``."""

from __future__ import annotations

import typer

from commonground.cli.common import DatabaseUrl, open_services

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify(database_url: DatabaseUrl = None) -> None:
    """Exit 0 only when every record is present, in order and unaltered."""
    services = open_services(database_url)
    try:
        verdict = services.audit.verify()
    finally:
        services.close()
    if verdict.intact:
        typer.echo(f"audit chain intact: {verdict.checked} records")
        return
    typer.echo(f"audit chain BROKEN after {verdict.checked} good records: {verdict.problem}", err=True)
    raise typer.Exit(1)
