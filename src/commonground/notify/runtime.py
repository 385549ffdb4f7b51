"""Start and stop the notification machinery of one server process (the app lifespan calls this)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commonground.bootstrap import Services
from commonground.notify.hub import EventHub
from commonground.notify.worker import DeliveryWorker


def start_notifications(app: Any, services: Services) -> Callable[[], None]:
    """Start the event hub (live streams) and, unless run elsewhere, the delivery worker."""
    hub = EventHub(services, app)
    app.state.event_hub = hub
    worker = DeliveryWorker(services, wake=hub.worker_wake) if services.settings.notify_worker else None
    hub.start()
    if worker is not None:
        worker.start()

    def stop() -> None:
        if worker is not None:
            worker.stop()
        hub.stop()

    return stop
