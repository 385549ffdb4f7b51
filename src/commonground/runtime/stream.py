"""The live stream: outbox events as Server-Sent Events, rendered for one user.

Why a settle window on PostgreSQL: sequence numbers are taken at insert, but transactions
commit in any order, so an event with a lower number can become visible after a higher
one was sent. Each pass re-reads the events after the highest number sent more than
``SETTLE_S`` ago and skips the ones already sent. SQLite commits in sequence order.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from commonground.bootstrap import Services
from commonground.notify.render import Recipient, render, routed
from commonground.runtime.hub import EventHub

PAGE = 500
SETTLE_S = 30.0


def sse(seq: int, kind: str, data: dict[str, Any]) -> str:
    return f"id: {seq}\nevent: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class StreamCursor:
    """Where a stream is: a floor below which everything was sent, and what was sent above it."""

    def __init__(self, start: int, settle_s: float) -> None:
        self.floor = start
        self.settle_s = settle_s
        self.sent: dict[int, float] = {}

    def mark(self, seq: int, now: float) -> None:
        if self.settle_s <= 0:
            self.floor = max(self.floor, seq)
        else:
            self.sent[seq] = now

    def settle(self, now: float) -> None:
        old = [s for s, t in self.sent.items() if now - t >= self.settle_s]
        if old:
            self.floor = max(self.floor, max(old))
            self.sent = {s: t for s, t in self.sent.items() if s > self.floor}


def parse_last_event_id(value: str | None) -> int | None:
    """A resume point, or None (start afresh) for anything that is not one: the header is the client's guess."""
    if value is None or not (value.strip().isascii() and value.strip().isdigit()):
        return None
    return int(value.strip())


class LiveStream:
    def __init__(
        self,
        services: Services,
        hub: EventHub,
        recipient: Recipient,
        *,
        watch: bool,
        start: int,
        hears: Callable[[str], bool] = lambda kind: True,  # a scoped token's filter on event kinds
    ) -> None:
        self.services, self.hub, self.recipient, self.watch, self.hears = services, hub, recipient, watch, hears
        settle = SETTLE_S if services.settings.database_url.startswith("postgres") else 0.0
        self.cursor = StreamCursor(start, settle)

    def _fetch(self) -> list[tuple[int, str, dict[str, Any] | None]]:
        """Return (seq, kind, view or None) for every unsent event after the floor."""
        out: list[tuple[int, str, dict[str, Any] | None]] = []
        now = time.monotonic()
        agency_id = self.recipient.viewer.agency_id
        user_id = self.recipient.user_id
        within = self.services.settings.sensitive_place_m
        with self.services.store.read() as tx:
            after = self.cursor.floor
            while True:
                batch = tx.outbox.after(after, agency_id, self.watch, PAGE)
                for event in batch:
                    if event.seq in self.cursor.sent:
                        continue
                    meant = routed(event, self.recipient) and self.hears(event.kind)
                    view = render(tx, event, self.recipient, within) if meant else None
                    out.append((event.seq, event.kind, view))
                    if view is not None and event.kind.startswith("conflict.") and user_id:
                        self.hub.record(
                            event.seq,
                            event.object_id,
                            event.agency_id if not self.watch else None,
                            user_id,
                            self.services.clock.now(),
                        )
                    self.cursor.mark(event.seq, now)
                if len(batch) < PAGE:
                    break
                after = batch[-1].seq
        self.cursor.settle(now)
        return out

    async def events(self) -> AsyncIterator[str]:
        flag = self.hub.subscribe()
        keepalive = self.services.settings.stream_keepalive_seconds
        try:
            yield "retry: 2000\n: connected\n\n"
            while not self.hub.closing.is_set():
                flag.clear()
                for seq, kind, view in await run_in_threadpool(self._fetch):
                    if view is not None:
                        yield sse(seq, kind, view)
                if self.hub.closing.is_set():
                    break
                try:
                    await asyncio.wait_for(flag.wait(), timeout=keepalive)
                except TimeoutError:
                    yield ": keepalive\n\n"
        finally:
            self.hub.unsubscribe(flag)
