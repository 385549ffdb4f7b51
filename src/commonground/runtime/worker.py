"""``commonground worker``: the background of an installation without its HTTP server.

For deployments with several API processes (``serve --no-worker``) and one worker: delivery with
its escalations, the notice scheduler (which sends due notices at start), the audit checkpoints,
the re-probe of unchecked peers, and the sweep on a timer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from commonground.bootstrap import Services
from commonground.runtime.checkpoints import CheckpointSigner
from commonground.runtime.delivery import DeliveryLoop
from commonground.runtime.hub import EventHub
from commonground.runtime.reprobe import ReprobeLoop
from commonground.runtime.scheduler import NoticeScheduler
from commonground.runtime.ticker import Ticker

log = logging.getLogger(__name__)


class Part(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


def sweep_once(services: Services) -> None:
    """The sweep's re-check of live pairs and the expiry of accounts, as ``commonground sweep`` runs them."""
    found = services.sweep.run()
    disabled = services.lifecycle.expire()
    log.info("sweep pass", extra={"missing_conflicts": found, "accounts_disabled": disabled})


def start(services: Services) -> Callable[[], None]:
    """Start every background part; return the function that stops them in the reverse order."""
    parts: list[Part] = [
        NoticeScheduler(services),
        CheckpointSigner(services),
    ]
    if services.settings.federation_reprobe_seconds > 0:
        parts.append(ReprobeLoop(services))
    hub = EventHub(services)
    parts += [hub, DeliveryLoop(services, wake=hub.worker_wake)]
    if services.settings.worker_sweep_seconds > 0:
        every = services.settings.worker_sweep_seconds
        parts.append(Ticker("sweep", every, lambda: sweep_once(services), "sweep failed"))
    for part in parts:
        part.start()
    log.info("worker started", extra={"parts": [type(p).__name__ for p in parts]})

    def stop() -> None:
        for part in reversed(parts):
            part.stop()

    return stop


def run(services: Services, stopped: threading.Event) -> None:
    """Run until ``stopped`` is set (by SIGTERM or SIGINT in the command)."""
    stop = start(services)
    try:
        stopped.wait()
    finally:
        stop()
        log.info("worker stopped")
