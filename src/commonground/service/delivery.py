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
from commonground.domain.notifications import (
    Channel,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    backoff,
    cad_event,
    delivery_key,
)
from commonground.domain.timewindow import isoformat
from commonground.service.escalation import Escalator
from commonground.service.events import EventKind
from commonground.service.failed_deliveries import FailingAlarm
from commonground.service.ports import (
    Clock,
    EmailSender,
    Event,
    PeerSender,
    Store,
    TakSender,
    Transaction,
    WebhookSender,
)
from commonground.service.remote_conflicts import PEER_STATUS_KIND

log = logging.getLogger(__name__)
CURSOR = "fanout"
LEASE = timedelta(seconds=60)  # a claimed delivery is retried by anyone after this if its sender died
BATCH = 200
SENDERS = 8  # sends in flight at once; a slow receiver must not hold up the others


class ChannelRenderer(Protocol):
    """Render an event for an agency's own channels (``agency`` None: the watch center's), or None."""

    def __call__(self, tx: Transaction, event: Event, agency: Agency | None) -> dict[str, Any] | None: ...


class PushRenderer(Protocol):
    """Render an event for an agency's TAK map (``{"cot": [...]}``) and CAD system (a premise alert), or None."""

    def tak(self, tx: Transaction, event: Event, agency: Agency, now: datetime) -> dict[str, Any] | None: ...
    def cad(self, tx: Transaction, event: Event, agency: Agency, now: datetime) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a failed send is tried again (docs/settings.md)."""

    max_attempts: int
    backoff_s: float
    backoff_max_s: float
    failing_after_s: float = 300.0  # then it is raised as ``delivery.failing`` (service/failed_deliveries.py)


def watch_routed(event: Event) -> bool:
    return event.for_watch


def _about(event: Event, channel: Channel) -> bool:
    """Say whether ``event`` is a ``delivery.failing`` alert about ``channel`` itself: told elsewhere."""
    return event.kind == EventKind.DELIVERY_FAILING.value and (event.details or {}).get("channel_id") == channel.id


def envelope(event: Event, key: str, data: dict[str, Any], kind: str | None = None) -> dict[str, Any]:
    """The body every webhook, CAD push and e-mail carries: which event (``kind``: a CAD alert's), its key, the view."""
    return {
        "id": key,
        "event": kind or event.kind,
        "seq": event.seq,
        "created_at": isoformat(event.created_at),
        "data": data,
    }


def peer_delivery(event: Event, now: datetime) -> Delivery:
    """The one delivery of a status message owed to a peer (target: the peer's id)."""
    peer_id = str((event.details or {}).get("peer_id", ""))
    return Delivery(
        delivery_key(event.seq, ChannelKind.PEER.value, peer_id),
        event.seq,
        event.object_id,
        None,
        ChannelKind.PEER,
        None,
        peer_id,
        DeliveryStatus.PENDING,
        0,
        now,
        None,
        now,
    )


class Deliveries:
    """The delivery use-case over the store, the clock and the senders (webhook and CAD, e-mail, TAK, peers)."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        webhooks: WebhookSender,
        email: EmailSender,
        render: ChannelRenderer,
        escalator: Escalator,
        retry: RetryPolicy,
        peers: PeerSender | None = None,
        tak: TakSender | None = None,
        push: PushRenderer | None = None,
    ) -> None:
        self.store, self.clock = store, clock
        self.webhooks, self.email, self.peers, self.tak, self.push = webhooks, email, peers, tak, push
        self.render, self.escalator, self.retry = render, escalator, retry
        self._pool = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="deliver")
        self._seen = -1
        self.alarm = FailingAlarm(store, clock, timedelta(seconds=retry.failing_after_s))

    def close(self) -> None:
        """Stop sending: sends not yet started are dropped (their rows are retried after the lease)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def run_once(self, *, escalate: bool = True) -> int:
        """One pass: fan out new events, escalate what is due, send what is due, raise what keeps
        failing (and fan that out at once); return sends."""
        self.fan_out()
        if escalate and self.escalator.run():
            self.fan_out()
        sent = self.send_due()
        if self.alarm.run():
            self.fan_out()
        return sent

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
            if event.kind == PEER_STATUS_KIND:  # owed to a peer installation, not to a channel
                rows.append(peer_delivery(event, now))
                continue
            for ch in channels:
                if not ch.carries(event.kind, event.details) or _about(event, ch):
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
        # (row, body, secrets: the channel's and any being rotated out, zone)
        jobs: list[tuple[Delivery, dict[str, Any] | None, tuple[str, ...], str | None]] = []
        removed: list[tuple[Delivery, DeliveryError | None]] = []  # never sent unsigned, nor to a removed address
        with self.store.read() as tx:
            events = tx.outbox.by_seq(d.event_seq for d in claimed)
            for d in claimed:
                channel = tx.channels.get(d.channel_id) if d.channel_id else None
                event = events.get(d.event_seq)
                if d.channel is ChannelKind.PEER:  # the signed body was fixed when the change committed
                    jobs.append((d, dict((event.details or {}).get("body") or {}) if event else None, (), None))
                    continue
                if d.channel_id and channel is None:
                    removed.append((d, DeliveryError("its channel was removed before it was sent", retry=False)))
                    continue
                data = self._view(tx, d, event, now) if event else None
                body = self._body(d, event, data) if event and data is not None else None
                keys = (channel.secret or "", *channel.rollover(now)) if channel else ()
                jobs.append((d, body, keys, self._zone(tx, d)))
        results = [*removed, *self._pool.map(lambda job: self._send(*job), jobs)]
        done = self.clock.now()
        with self.store.write() as tx:
            for d, error in results:
                tx.deliveries.update(self._outcome(d, error, done))
        return sum(1 for _, error in results if error is None)

    def _view(self, tx: Transaction, d: Delivery, event: Event, now: datetime) -> dict[str, Any] | None:
        """The event as the delivery's recipient may see it; None when its agency is gone."""
        pushed = d.channel in (ChannelKind.TAK, ChannelKind.CAD)
        if d.agency_id is None:
            return None if pushed else self.render(tx, event, None)
        agency = tx.agencies.get(d.agency_id)
        if agency is None:
            return None
        if not pushed:
            return self.render(tx, event, agency)
        if self.push is None:  # a use-case wired without TAK and CAD rendering
            return None
        push = self.push.tak if d.channel is ChannelKind.TAK else self.push.cad
        return push(tx, event, agency, now)

    @staticmethod
    def _body(d: Delivery, event: Event, data: dict[str, Any]) -> dict[str, Any]:
        """What is sent: CoT events as rendered; for the others the envelope (a CAD's named by its alert event)."""
        if d.channel is ChannelKind.TAK:
            return data
        alert = cad_event(event.kind, event.details) if d.channel is ChannelKind.CAD else None
        return envelope(event, d.key, data, alert)

    def _zone(self, tx: Transaction, d: Delivery) -> str | None:
        """The recipient agency's time zone, for the times an e-mail shows (the watch center's: UTC)."""
        if d.channel is not ChannelKind.EMAIL or d.agency_id is None:
            return None
        agency = tx.agencies.get(d.agency_id)  # the unit's memo holds it: _view just read it
        return agency.timezone if agency else None

    def _send(
        self, d: Delivery, body: dict[str, Any] | None, keys: tuple[str, ...], zone: str | None
    ) -> tuple[Delivery, DeliveryError | None]:
        try:
            if body is None:
                raise DeliveryError("nothing this recipient may be shown", retry=False)
            if d.channel in (ChannelKind.WEBHOOK, ChannelKind.CAD):  # a CAD push is a signed webhook
                payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
                self.webhooks.send(d.target, keys[0] if keys else "", payload, d.key, keys[1:])
            elif d.channel is ChannelKind.EMAIL:
                self.email.send(d.target, body, d.key, zone)
            elif d.channel is ChannelKind.TAK:
                if self.tak is None:
                    raise DeliveryError("this process does not send to TAK servers")
                self.tak.send(d.target, [str(e).encode() for e in body["cot"]], d.key)
            elif d.channel is ChannelKind.PEER:
                if self.peers is None:
                    raise DeliveryError("this process does not send to peers")
                self.peers.send_status(d.target, body, d.key)
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
        gives_up = d.attempts >= r.max_attempts and d.channel is not ChannelKind.PEER  # a peer's is never lost
        if not error.retry or gives_up:
            return replace(d, status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=str(error)[:500])
        wait = backoff(d.attempts, r.backoff_s, r.backoff_max_s)
        return replace(d, next_attempt_at=now + wait, last_error=str(error)[:500])
