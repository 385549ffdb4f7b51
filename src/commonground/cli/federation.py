"""``commonground federation …``: this installation's identity and its peers."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from commonground.cli.common import DatabaseUrl, open_services
from commonground.domain.errors import CommonGroundError

federation_app = typer.Typer(help="Federation with other installations.", no_args_is_help=True)
peer_app = typer.Typer(help="Peer installations.", no_args_is_help=True)
federation_app.add_typer(peer_app, name="peer")


@federation_app.command("identity")
def identity(database_url: DatabaseUrl = None) -> None:
    """Print this installation's name, URL and public key as JSON (what a peer registers)."""
    services = open_services(database_url)
    try:
        typer.echo(json.dumps(services.federation.identity()))
    finally:
        services.close()


@peer_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="the peer's installation name")],
    url: Annotated[str, typer.Argument(help="the peer's base URL")],
    key: Annotated[str, typer.Argument(help="the peer's public key, base64")],
    database_url: DatabaseUrl = None,
) -> None:
    """Trust a peer installation; print the stored peer as JSON."""
    services = open_services(database_url)
    try:
        peer = services.federation.add_peer(None, {"name": name, "url": url, "public_key": key})
    except CommonGroundError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        services.close()
    typer.echo(json.dumps(peer))
