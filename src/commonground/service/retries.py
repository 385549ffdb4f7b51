"""Safe retries: claim an ``Idempotency-Key`` before the work, keep the answer after it (docs/retries.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from commonground.domain.retries import KEPT_FOR, Answer, Attempt, Verdict, expired, verdict
from commonground.service.ports import Clock, Store

# Keys older than a day are cleared by the claims themselves, a few at a time, so no sweep is needed.
_PURGE_EVERY = timedelta(minutes=10)


@dataclass
class Retries:
    store: Store
    clock: Clock

    def __post_init__(self) -> None:
        self._purged_at = self.clock.now() - _PURGE_EVERY

    def claim(self, scope: str, key: str, fingerprint: str) -> tuple[Verdict, Answer | None]:
        """Claim the key for this request; a kept key answers REPLAY (with the answer), DIFFERENT or IN_PROGRESS."""
        now = self.clock.now()
        attempt = Attempt(scope, key, fingerprint, now)
        with self.store.write() as tx:
            if now - self._purged_at >= _PURGE_EVERY:
                self._purged_at = now
                tx.retries.purge(now - KEPT_FOR)
            kept = tx.retries.claim(attempt)
            if kept is None:
                return Verdict.FRESH, None
            if expired(kept, now):
                return (Verdict.FRESH, None) if tx.retries.take_over(kept, attempt) else (Verdict.IN_PROGRESS, None)
            found = verdict(kept, fingerprint)
            return found, kept.answer if found is Verdict.REPLAY else None

    def keep(self, scope: str, key: str, answer: Answer) -> None:
        """Keep the first request's answer for every retry of the next day."""
        with self.store.write() as tx:
            tx.retries.answer(scope, key, answer)

    def release(self, scope: str, key: str) -> None:
        """Free the key of a request that failed without an answer worth repeating; a retry does the work."""
        with self.store.write() as tx:
            tx.retries.release(scope, key)
