"""``commonground db …``."""

from __future__ import annotations

import typer

from commonground.bootstrap import open_store
from commonground.cli.common import DatabaseUrl, settings_for

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(database_url: DatabaseUrl = None) -> None:
    """Apply every migration not yet applied."""
    store = open_store(settings_for(database_url).database_url, upgrade=True)
    store.close()
    typer.echo("database is up to date")
