"""Send notices due at an operation's start; the schedule lives in the database, so it survives restarts."""

from __future__ import annotations

import logging
import threading

from commonground.bootstrap import Services

log = logging.getLogger(__name__)


class NoticeScheduler:
    """A background thread per server process; delivery is a transaction, so processes do not clash."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notice-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        interval = self.services.settings.notice_poll_seconds
        while True:
            try:  # first at start-up, so notices that fell due while the server was down go out
                self.services.notices.deliver_due()
            except Exception:  # keep the loop alive; the next tick retries
                log.exception("delivering due notices failed")
            if self._stop.wait(interval):
                return
