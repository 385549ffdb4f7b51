"""Sign the audit log's checkpoints as they fall due (every N records or M minutes), in the background."""

from __future__ import annotations

import logging
import threading

from commonground.bootstrap import Services

log = logging.getLogger(__name__)
TICK_SECONDS = 15.0  # how often a process asks whether a checkpoint is due; signing takes one transaction


class CheckpointSigner:
    """A background thread per server process; two processes signing the same size keep one."""

    def __init__(self, services: Services, tick: float = TICK_SECONDS) -> None:
        self.services, self.tick = services, tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.services.audit.checkpoint()
            except Exception:  # a broken chain is refused, not signed; keep the loop alive and say so
                log.exception("signing an audit checkpoint failed")
