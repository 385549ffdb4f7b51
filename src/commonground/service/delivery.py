"""Deliver outbox events to channels: fan out, escalate, claim, send, retry, record the outcome.

At least once: a delivery row is written before anything is sent and marked sent only
after the receiver answered, so a crash in between means a repeat with the same
idempotency key (``<event seq>:<channel>:<recipient>``), never a loss. A runtime loop calls
``run_once`` on a timer (``commonground.runtime.delivery``); any process may, at once.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from commonground.domain.errors import DeliveryError
from commonground.domain.model import Agency
from commonground.domain.notifications import Channel, ChannelKind, Delivery, DeliveryStatus, backoff, delivery_key
from commonground.domain.timewindow import isoformat
from commonground.service.escalation import Escalator
from commonground.service.ports import Clock, EmailSender, Event, Store, Transaction, WebhookSender

log = logging.getLogger(__name__)
CURSOR = "fanout"
LEASE = timedelta(seconds=60)  # a claimed delivery is retried by anyone after this if its sender died
BATCH = 200
SENDERS = 8  # sends in flight at once; a slow receiver must not hold up the others


class ChannelRenderer(Protocol):
    """Render an event for an agency's own channels (``agency`` None: the watch center's), or None."""

    def __call__(self, tx: Transaction, event: Event, agency: Agency | None) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a failed send is tried again (docs/settings.md)."""

    max_attempts: int
    backoff_s: float
    backoff_max_s: float


def watch_routed(event: Event) -> bool:
    return event.for_watch


def envelope(event: Event, key: str, data: dict[str, Any]) -> dict[str, Any]:
    """The body every webhook and e-mail carries: which event, its idempotency key, the view."""
    return {"id": key, "event": event.kind, "seq": event.seq, "created_at": isoformat(event.created_at), "data": data}


class Deliveries:
    """The delivery use-case over the store, the clock and the two senders."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        webhooks: WebhookSender,
        email: EmailSender,
        render: ChannelRenderer,
        escalator: Escalator,
        retry: RetryPolicy,
    ) -> None:
        self.store, self.clock = store, clock
        self.webhooks, self.email = webhooks, email
        self.render, self.escalator, self.retry = render, escalator, retry
        self._pool = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="deliver")
        self._seen = -1

    def close(self) -> None:
        """Stop sending: sends not yet started are dropped (their rows are retried after the lease)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def run_once(self, *, escalate: bool = True) -> int:
        """One pass: fan out new events, escalate what is due, send what is due; return sends."""
        self.fan_out()
        if escalate and self.escalator.run():
            self.fan_out()
        return self.send_due()

    # --- fan-out ---------------------------------------------------------------------
    def fan_out(self) -> int:
        """Turn new events into delivery rows, one per matching channel, moving the cursor with them."""
        with self.store.read() as tx:
            last = tx.outbox.last_seq()
        if last == self._seen:
            return 0
        made = 0
        now = self.clock.now()
        with self.store.write() as tx:
            cursor = tx.outbox.claim_cursor(CURSOR)
            events = tx.outbox.all_after(cursor, 1000)
            if events:
                rows = self._deliveries(tx, events, now)
                tx.deliveries.add(rows)
                tx.outbox.move_cursor(CURSOR, events[-1].seq)
                made = len(rows)
        if len(events) < 1000:
            self._seen = last
        return made

    def _deliveries(self, tx: Transaction, events: list[Event], now: datetime) -> list[Delivery]:
        channels = tx.channels.all()
        rows = []
        for event in events:
            for ch in channels:
                if not ch.wants(event.kind):
                    continue
                if (ch.agency_id is None and not watch_routed(event)) or (
                    ch.agency_id is not None and ch.agency_id != event.agency_id
                ):
                    continue
                rows.append(
                    Delivery(
                        delivery_key(event.seq, ch.kind.value, ch.target),
                        event.seq,
                        event.object_id,
                        ch.agency_id,
                        ch.kind,
                        ch.id,
                        ch.target,
                        DeliveryStatus.PENDING,
                        0,
                        now,
                        None,
                        now,
                    )
                )
        return rows

    # --- sending ---------------------------------------------------------------------
    def send_due(self) -> int:
        """Claim what is due, send it outside any transaction, record each outcome; return sends."""
        now = self.clock.now()
        with self.store.write() as tx:
            due = tx.deliveries.due(now, BATCH)
            claimed = [replace(d, attempts=d.attempts + 1, next_attempt_at=now + LEASE) for d in due]
            for d in claimed:
                tx.deliveries.update(d)
        if not claimed:
            return 0
        jobs: list[tuple[Delivery, dict[str, Any] | None, Channel | None]] = []
        with self.store.read() as tx:
            events = tx.outbox.by_seq(d.event_seq for d in claimed)
            for d in claimed:
                channel = tx.channels.get(d.channel_id) if d.channel_id else None
                event = events.get(d.event_seq)
                data = self._view(tx, d, event) if event else None
                body = envelope(event, d.key, data) if event and data is not None else None
                jobs.append((d, body, channel))
        results = list(self._pool.map(lambda job: self._send(*job), jobs))
        done = self.clock.now()
        with self.store.write() as tx:
            for d, error in results:
                tx.deliveries.update(self._outcome(d, error, done))
        return sum(1 for _, error in results if error is None)

    def _view(self, tx: Transaction, d: Delivery, event: Event) -> dict[str, Any] | None:
        """The event as the delivery's recipient may see it; None when its agency is gone."""
        if d.agency_id is None:
            return self.render(tx, event, None)
        agency = tx.agencies.get(d.agency_id)
        return self.render(tx, event, agency) if agency else None

    def _send(
        self, d: Delivery, body: dict[str, Any] | None, channel: Channel | None
    ) -> tuple[Delivery, DeliveryError | None]:
        try:
            if body is None:
                raise DeliveryError("nothing this recipient may be shown", retry=False)
            if d.channel is ChannelKind.WEBHOOK:
                payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
                secret, also = (channel.secret or "", channel.rollover(self.clock.now())) if channel else ("", ())
                self.webhooks.send(d.target, secret, payload, d.key, also)
            elif d.channel is ChannelKind.EMAIL:
                self.email.send(d.target, body, d.key)
            return d, None
        except DeliveryError as exc:
            return d, exc
        except Exception as exc:  # a bug in one send must not stop the others
            log.exception("delivery %s failed", d.key)
            return d, DeliveryError(f"{type(exc).__name__}: {exc}")

    def _outcome(self, d: Delivery, error: DeliveryError | None, now: datetime) -> Delivery:
        r = self.retry
        if error is None:
            return replace(d, status=DeliveryStatus.SENT, sent_at=now, next_attempt_at=None, last_error=None)
        if not error.retry or d.attempts >= r.max_attempts:
            return replace(d, status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=str(error)[:500])
        wait = backoff(d.attempts, r.backoff_s, r.backoff_max_s)
        return replace(d, next_attempt_at=now + wait, last_error=str(error)[:500])
