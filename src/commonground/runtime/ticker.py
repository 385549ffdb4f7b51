"""A background thread that does one piece of work every few seconds until stopped: one start, one stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Ticker:
    """Run ``work`` every ``tick`` seconds on a daemon thread; a failure is logged and the next tick retries."""

    def __init__(self, name: str, tick: float, work: Callable[[], object], failed: str) -> None:
        self.tick, self.work, self.failed = tick, work, failed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.work()
            except Exception:  # keep the loop alive and say so
                log.exception(self.failed)
