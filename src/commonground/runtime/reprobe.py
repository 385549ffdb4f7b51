"""Ask peers that could not be checked again, in the background, until they answer (never a false clear)."""

from __future__ import annotations

import logging
import threading

from commonground.bootstrap import Services

log = logging.getLogger(__name__)
MIN_TICK_SECONDS = 0.2  # how often a process looks for due re-probes, at most; each peer keeps its own backoff


class ReprobeLoop:
    """A background thread per server process; the rows are in the database, so a restart resumes them."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.tick = max(services.settings.federation_reprobe_seconds / 4, MIN_TICK_SECONDS)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="federation-reprobe", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.services.reprobe.run_due()
            except Exception:  # keep the loop alive; the next tick retries
                log.exception("re-probing unchecked peers failed")
