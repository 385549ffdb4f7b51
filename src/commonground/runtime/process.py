"""Start and stop the background of one server process (the app lifespan calls ``start``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commonground.bootstrap import Services
from commonground.runtime.checkpoints import CheckpointSigner
from commonground.runtime.delivery import DeliveryLoop
from commonground.runtime.hub import EventHub
from commonground.runtime.reprobe import ReprobeLoop
from commonground.runtime.scheduler import NoticeScheduler


def start(app: Any, services: Services) -> Callable[[], None]:
    """Start the notice scheduler, the audit checkpoint signer, the re-probe of unchecked peers, the event
    hub (live streams) and, unless run elsewhere, the delivery loop; return the function that stops them,
    in the reverse order. With ``COMMONGROUND_BACKGROUND=false`` (``serve --no-worker``) only the hub
    runs: ``commonground worker`` does the rest."""
    if not services.settings.background:
        hub = EventHub(services, app)
        app.state.event_hub = hub
        hub.start()
        return hub.stop
    scheduler = NoticeScheduler(services)
    scheduler.start()
    signer = CheckpointSigner(services)
    signer.start()
    reprobe = ReprobeLoop(services) if services.settings.federation_reprobe_seconds > 0 else None
    if reprobe is not None:
        reprobe.start()
    hub = EventHub(services, app)
    app.state.event_hub = hub
    worker = DeliveryLoop(services, wake=hub.worker_wake) if services.settings.notify_worker else None
    hub.start()
    if worker is not None:
        worker.start()

    def stop() -> None:
        if worker is not None:
            worker.stop()
        hub.stop()
        if reprobe is not None:
            reprobe.stop()
        signer.stop()
        scheduler.stop()

    return stop
