"""``commonground serve`` and ``commonground demo``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from commonground import logs
from commonground.cli.common import DatabaseUrl, open_services, settings_for

if TYPE_CHECKING:
    from commonground.demo import SeedReport

AccessLog = Annotated[
    bool, typer.Option("--access-log/--no-access-log", help="log each HTTP request (one line, with its request id)")
]


NoWorker = Annotated[
    bool,
    typer.Option("--no-worker", help="serve HTTP only; delivery, notices and the sweep run in `commonground worker`"),
]
ProxyHeaders = Annotated[
    bool,
    typer.Option(
        "--proxy-headers/--no-proxy-headers",
        help="trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a reverse proxy)",
    ),
]
ForwardedAllowIps = Annotated[
    str,
    typer.Option(
        envvar="COMMONGROUND_FORWARDED_ALLOW_IPS",
        help="comma-separated proxy addresses whose forwarded headers are trusted",
    ),
]


def _run(
    database_url: str | None,
    host: str,
    port: int,
    workers: int,
    access_log: bool = True,
    *,
    no_worker: bool = False,
    proxy_headers: bool = False,
    forwarded_allow_ips: str = "127.0.0.1",
) -> None:
    settings = settings_for(database_url)
    # Migrate once, before any worker starts, so workers never race on the schema.
    open_services(settings.database_url).close()
    os.environ["COMMONGROUND_DATABASE_URL"] = settings.database_url
    os.environ["COMMONGROUND_LOG_REQUESTS"] = "true" if access_log else "false"
    if no_worker:
        os.environ["COMMONGROUND_BACKGROUND"] = "false"
    logs.configure(settings.log_format, settings.log_level)  # the supervisor's own lines too
    uvicorn.run(
        "commonground.http.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        log_level=settings.log_level,
        log_config=None,  # uvicorn's records go through our formatter (commonground.logs)
        access_log=False,  # our own request line replaces uvicorn's (it has the request id)
        timeout_graceful_shutdown=3,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def serve(
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(envvar="COMMONGROUND_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="COMMONGROUND_PORT")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="API processes; on SQLite they share one writer")] = 1,
    access_log: AccessLog = True,
    no_worker: NoWorker = False,
    proxy_headers: ProxyHeaders = False,
    forwarded_allow_ips: ForwardedAllowIps = "127.0.0.1",
) -> None:
    """Serve the API and console (and, unless --no-worker, the background work)."""
    _run(
        database_url,
        host,
        port,
        workers,
        access_log,
        no_worker=no_worker,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def demo(
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(envvar="COMMONGROUND_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="COMMONGROUND_PORT")] = 8000,
    federated: Annotated[
        bool, typer.Option("--federated", help="also run a federal region's installation, each the other's peer")
    ] = False,
    peer_port: Annotated[int, typer.Option(help="the federal region's port (with --federated)")] = 8001,
    peer_database_url: Annotated[
        str, typer.Option(help="the federal region's database (with --federated)")
    ] = "sqlite:///./commonground-federal.db",
) -> None:
    """Load the demonstration data (once), print sign-ins, and serve; --federated runs two installations."""
    from commonground.demo import DEMO_PASSWORD, seed

    if federated:
        from commonground.cli import federated_demo

        federated_demo.run(database_url, peer_database_url, host, port, peer_port)
        return
    services = open_services(database_url)
    try:
        report = seed(services)
    finally:
        services.close()
    typer.echo(welcome(report, f"http://{host}:{port}/", DEMO_PASSWORD))
    _run(database_url, host, port, 1)


# Whom to sign in as first, by what a newcomer wants to see.
FIRST_SIGN_INS = (("watch", "the watch center"), ("mpd.sgt", "a supervisor"), ("hcso.911", "a dispatcher"))


def welcome(report: SeedReport, console_url: str, password: str) -> str:
    """What the demo prints at start-up: where the console is, whom to sign in as, the authenticator step."""
    users = {username for username, *_ in report.tokens}
    first = ", ".join(f"{name} ({what})" for name, what in FIRST_SIGN_INS if name in users)
    lines = [
        f"Demonstration data: {report.agencies} agencies, {report.operations} operations,"
        f" {report.conflicts} conflicts.",
        "",
        f"Open {console_url} and sign in as {first}, or any user below; every password is {password!r}.",
        "The first sign-in enrols an authenticator app (any TOTP app: Google Authenticator, Microsoft",
        "Authenticator, 1Password, FreeOTP...): scan the QR code it shows, or type the key, then give",
        "the 6-digit code. Every later sign-in asks for the app's current code.",
        "",
        f"  {'user':<16} {'role':<13} {'agency':<36} API bearer token",
    ]
    lines += [f"  {username:<16} {role:<13} {agency:<36} {token}" for username, role, agency, token in report.tokens]
    lines.append(f"Tokens are also in {report.token_file} (the README's tour uses them).")
    return "\n".join(lines)
