"""What every command shares: the database option and opening services."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.bootstrap import Services, build_services
from commonground.config import Settings

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="COMMONGROUND_DATABASE_URL", help="sqlite:///... or postgresql://..."),
]


def settings_for(database_url: str | None) -> Settings:
    return Settings(database_url=database_url) if database_url else Settings()


def open_services(database_url: str | None) -> Services:
    """Open the store, bringing an empty database up to date first."""
    return build_services(settings_for(database_url))
