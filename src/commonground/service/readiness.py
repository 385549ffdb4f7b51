"""Readiness: may this process take traffic? Only while the database answers, its schema is at
head and, where this process runs it, the delivery worker keeps making passes.

An unready process must never answer "no conflict": a load balancer that reads ``/readyz`` sends
traffic elsewhere before a submission could be checked against a store that cannot answer.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from commonground.service.ports import SchemaProbe

log = logging.getLogger(__name__)
WORKER_WITHIN_S = 30.0


@dataclass(frozen=True, slots=True)
class Check:
    """One readiness check: its name, whether it passed, and a short reason (never a secret)."""

    name: str
    ok: bool
    detail: str


class Heartbeat:
    """When the delivery worker of this process last finished a pass (monotonic seconds).

    ``expected`` is set by the runtime when it starts the worker here; a process that serves
    without one (``serve --no-worker``) is not judged by it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: float | None = None
        self.expected = False

    def beat(self) -> None:
        with self._lock:
            self._last = time.monotonic()

    def age(self) -> float | None:
        """Seconds since the last pass, or None before the first."""
        with self._lock:
            return None if self._last is None else time.monotonic() - self._last


@dataclass
class Readiness:
    probe: SchemaProbe
    heartbeat: Heartbeat
    worker_within_s: float = WORKER_WITHIN_S

    def checks(self) -> list[Check]:
        """Run every check; the first failing one is the reason the process is not ready."""
        found = [*self._schema()]
        if self.heartbeat.expected:
            found.append(self._worker())
        return found

    def _schema(self) -> list[Check]:
        try:
            at = self.probe.revision()
        except Exception as exc:  # any failure to answer is "not ready", whatever the driver raises
            log.warning("readiness: database did not answer (%s)", type(exc).__name__)
            return [Check("database", False, "the database did not answer")]
        database = Check("database", True, "answers")
        if at != self.probe.head:
            return [database, Check("migrations", False, f"at {at or 'none'}, head is {self.probe.head}")]
        return [database, Check("migrations", True, f"at head {at}")]

    def _worker(self) -> Check:
        age = self.heartbeat.age()
        if age is None:
            return Check("worker", False, "no delivery pass yet")
        if age > self.worker_within_s:
            return Check("worker", False, f"last delivery pass {age:.0f} s ago (over {self.worker_within_s:.0f} s)")
        return Check("worker", True, f"last delivery pass {age:.1f} s ago")
