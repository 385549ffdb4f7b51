"""``commonground admin …`` and ``commonground token …``."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.cli.common import DatabaseUrl, open_services
from commonground.domain.scopes import Scope

admin_app = typer.Typer(help="Installation administration.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens.", no_args_is_help=True)


@admin_app.command("bootstrap")
def bootstrap(
    username: Annotated[str, typer.Option(help="the installation admin's user name")],
    database_url: DatabaseUrl = None,
) -> None:
    """Create the installation admin if none exists; print its token as the last line."""
    services = open_services(database_url)
    try:
        user, token = services.accounts.bootstrap_admin(username)
        if token is None:
            token = services.accounts.token_for_username(user.username, "bootstrap")
            typer.echo(f"admin {user.username} exists already; a new token follows", err=True)
    finally:
        services.close()
    typer.echo(token)


@token_app.command("create")
def create(
    user: Annotated[str, typer.Option("--user", help="user name")],
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    scope: Annotated[
        list[str] | None,
        typer.Option(help=f"limit the token to a scope, repeatable ({', '.join(Scope)}); none: all the roles allow"),
    ] = None,
    lookup_limit: Annotated[
        int | None, typer.Option(help="the token's own hourly look-up quota (a CAD link for a whole 911 centre)")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Print a new bearer token for a user as the last line."""
    services = open_services(database_url)
    try:
        token = services.accounts.token_for_username(user, name, scopes=scope or None, lookup_limit=lookup_limit)
    except Exception as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    finally:
        services.close()
    typer.echo(token)
