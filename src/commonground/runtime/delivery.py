"""The delivery loop: call the delivery use-case on a timer, or at once when the hub sees events.

Run inside each server process (``COMMONGROUND_NOTIFY_WORKER``) or alone:
``python -m commonground.runtime.delivery``.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from commonground.bootstrap import Services, build_services
from commonground.runtime.hub import EventHub

log = logging.getLogger(__name__)
# Passes write (fan-out, cursor); spacing them batches a burst of events into one write
# instead of one per submission competing with submissions for the writer.
MIN_PASS_GAP_S = 0.25


class DeliveryLoop:
    """A background thread per process; passes are transactions, so processes do not clash."""

    def __init__(self, services: Services, wake: threading.Event | None = None) -> None:
        self.deliveries = services.deliveries
        self.settings = services.settings
        self.heartbeat = services.heartbeat
        self.heartbeat.expected = True  # /readyz now judges this process by its passes
        self.wake = wake or threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delivery-worker", daemon=True)
        self._next_escalation = 0.0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliveries.run_once(escalate=time.monotonic() >= self._next_escalation)
                if time.monotonic() >= self._next_escalation:
                    self._next_escalation = time.monotonic() + self.settings.escalate_poll_seconds
                self.heartbeat.beat()
            except Exception:  # keep the loop alive; the next pass retries
                log.exception("notification delivery pass failed")
            if self._stop.wait(min(MIN_PASS_GAP_S, self.settings.notify_poll_seconds)):
                break
            self.wake.wait(self.settings.notify_poll_seconds)
            self.wake.clear()


def main() -> None:
    """Run the loop alone (when the API processes run with COMMONGROUND_NOTIFY_WORKER=false)."""
    logging.basicConfig(level=logging.INFO)
    services = build_services()
    hub = EventHub(services)
    loop = DeliveryLoop(services, wake=hub.worker_wake)
    hub.start()
    loop.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    loop.stop()
    hub.stop()
    services.close()


if __name__ == "__main__":
    main()
