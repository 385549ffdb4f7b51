"""``commonground worker``: delivery, escalation, notices, checkpoints, re-probes and the sweep, without HTTP."""

from __future__ import annotations

import signal
import threading

import typer

from commonground import logs
from commonground.cli.common import DatabaseUrl, open_services, settings_for
from commonground.runtime import worker as background


def worker(database_url: DatabaseUrl = None) -> None:
    """Run the installation's background work until SIGTERM or SIGINT (API processes: serve --no-worker)."""
    settings = settings_for(database_url)
    logs.configure(settings.log_format, settings.log_level)
    services = open_services(settings.database_url)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    try:
        background.run(services, stopped)
    finally:
        services.close()
    typer.echo("worker: stopped", err=True)
