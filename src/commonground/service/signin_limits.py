"""How much guessing one source may do: a growing hold-back per (account, source) and per-source rate limits.

The hold-back is kept in the store (every process sees it); the rate limits are counted in
memory, per process: with N workers a source gets up to N times the limit
(docs/security.md, "Sign-in that cannot be gamed").
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from commonground.domain.errors import RateLimited

MAX_SOURCES = 100_000  # sources tracked at once; beyond it the quietest are forgotten first


@dataclass(frozen=True, slots=True)
class HoldBack:
    """After ``after`` failures from one source within ``window``, that source waits ``first``, doubling, to ``cap``."""

    after: int = 5
    first: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(minutes=5)
    window: timedelta = timedelta(minutes=15)

    def until(self, failures: int, last: datetime | None) -> datetime | None:
        """When the source may try again, given its recent failure count and the last one's time."""
        if last is None or self.after <= 0 or failures < self.after:
            return None
        doublings = min(failures - self.after, 40)  # 2**40 s is past any cap
        wait: timedelta = min(self.first * (2**doublings), self.cap)
        return last + wait


@dataclass
class SourceLimit:
    """At most ``limit`` events per source in any ``per`` (a sliding log); 0 turns the limit off."""

    limit: int
    what: str
    per: timedelta = timedelta(minutes=1)
    _seen: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _told: dict[str, float] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self, source: str, now: datetime) -> None:
        """Raise ``RateLimited`` (with when to come back) if ``source`` has used its events."""
        if self.limit <= 0:
            return
        with self._guard:
            seen = self._recent(source, now.timestamp())
            if seen is not None and len(seen) >= self.limit:
                wait = seen[0] + self.per.total_seconds() - now.timestamp()
                raise RateLimited(f"too many {self.what} from this address; try again later", max(1, math.ceil(wait)))

    def count(self, source: str, now: datetime) -> None:
        """Record one event from ``source``."""
        if self.limit <= 0:
            return
        with self._guard:
            seen = self._recent(source, now.timestamp())
            if seen is None:
                if len(self._seen) >= MAX_SOURCES:
                    self._forget_quiet()
                seen = self._seen[source] = deque()
            seen.append(now.timestamp())

    def take(self, source: str, now: datetime) -> None:
        """Check, then count: for events that are limited whatever their outcome."""
        self.check(source, now)
        self.count(source, now)

    def first_refusal(self, source: str, now: datetime) -> bool:
        """Is this the source's first refusal within ``per``? Worth one audit record, not one per request."""
        with self._guard:
            told = self._told.get(source)
            if told is not None and now.timestamp() - told < self.per.total_seconds():
                return False
            if len(self._told) >= MAX_SOURCES:
                self._told.clear()
            self._told[source] = now.timestamp()
            return True

    def _recent(self, source: str, now: float) -> deque[float] | None:
        seen = self._seen.get(source)
        if seen is None:
            return None
        start = now - self.per.total_seconds()
        while seen and seen[0] <= start:
            seen.popleft()
        return seen

    def _forget_quiet(self) -> None:
        """Drop the half of the sources whose last event is oldest, so memory stays bounded."""
        by_last = sorted(self._seen, key=lambda s: self._seen[s][-1] if self._seen[s] else 0.0)
        for source in by_last[: len(by_last) // 2 or 1]:
            del self._seen[source]


@dataclass
class SignInLimits:
    """The sign-in rules one process applies; ``lock_after`` > 0 also locks an account on failures from anywhere."""

    hold_back: HoldBack = field(default_factory=HoldBack)
    attempts: SourceLimit = field(default_factory=lambda: SourceLimit(30, "sign-in attempts"))
    lock_after: int = 0


def bad_token_limit(per_minute: int = 30) -> SourceLimit:
    """The limit on requests whose bearer token does not resolve, per source."""
    return SourceLimit(per_minute, "requests with a bad token")
