"""The delivery worker: fan outbox events out to channels, send them, retry, escalate.

At least once: a delivery row is written before anything is sent and marked sent only
after the receiver answered, so a crash in between means a repeat with the same
idempotency key (``<event seq>:<channel>:<recipient>``), never a loss. Run inside each
server process (``COMMONGROUND_NOTIFY_WORKER``) or alone: ``python -m commonground.notify.worker``.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from commonground.bootstrap import Services
from commonground.domain.notifications import ChannelKind, Delivery, DeliveryStatus, backoff, delivery_key
from commonground.notify.email import EmailSender
from commonground.notify.render import WATCH, Recipient, envelope, for_agency, render
from commonground.notify.webhook import DeliveryError, WebhookSender, parse_networks
from commonground.service.escalation import Escalator
from commonground.service.ports import Event, Transaction

log = logging.getLogger(__name__)
CURSOR = "fanout"
LEASE = timedelta(seconds=60)  # a claimed delivery is retried by anyone after this if its sender died
BATCH = 200
# Passes write (fan-out, cursor); spacing them batches a burst of events into one write
# instead of one per submission competing with submissions for the writer.
MIN_PASS_GAP_S = 0.25


def watch_routed(event: Event) -> bool:
    return event.for_watch


class DeliveryWorker:
    def __init__(self, services: Services, wake: threading.Event | None = None) -> None:
        self.services = services
        s = services.settings
        self.webhooks = WebhookSender(s.webhook_timeout_seconds, parse_networks(s.webhook_allowed_networks))
        self.email = EmailSender(
            s.smtp_host,
            s.smtp_port,
            s.smtp_security,
            s.smtp_username,
            s.smtp_password,
            s.smtp_from,
            s.smtp_timeout_seconds,
        )
        self.escalator = Escalator(
            services.store,
            services.clock,
            timedelta(minutes=s.escalate_ack_minutes),
            timedelta(minutes=s.escalate_start_minutes),
        )
        self.wake = wake or threading.Event()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="deliver")
        self._thread = threading.Thread(target=self._run, name="delivery-worker", daemon=True)
        self._seen = -1
        self._next_escalation = 0.0

    # --- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        self._thread.join(timeout=10)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.webhooks.close()

    def _run(self) -> None:
        import time

        while not self._stop.is_set():
            try:
                self.run_once(escalate=time.monotonic() >= self._next_escalation)
                if time.monotonic() >= self._next_escalation:
                    self._next_escalation = time.monotonic() + self.services.settings.escalate_poll_seconds
            except Exception:  # keep the loop alive; the next pass retries
                log.exception("notification delivery pass failed")
            if self._stop.wait(min(MIN_PASS_GAP_S, self.services.settings.notify_poll_seconds)):
                break
            self.wake.wait(self.services.settings.notify_poll_seconds)
            self.wake.clear()

    def run_once(self, *, escalate: bool = True) -> int:
        """One pass: fan out new events, escalate what is due, send what is due; return sends."""
        self.fan_out()
        if escalate and self.escalator.run():
            self.fan_out()
        return self.send_due()

    # --- fan-out ---------------------------------------------------------------------
    def fan_out(self) -> int:
        """Turn new events into delivery rows, one per matching channel, moving the cursor with them."""
        with self.services.store.read() as tx:
            last = tx.outbox.last_seq()
        if last == self._seen:
            return 0
        made = 0
        now = self.services.clock.now()
        with self.services.store.write() as tx:
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
        now = self.services.clock.now()
        with self.services.store.write() as tx:
            due = tx.deliveries.due(now, BATCH)
            claimed = [replace(d, attempts=d.attempts + 1, next_attempt_at=now + LEASE) for d in due]
            for d in claimed:
                tx.deliveries.update(d)
        if not claimed:
            return 0
        jobs: list[tuple[Delivery, dict[str, Any] | None, str | None]] = []
        with self.services.store.read() as tx:
            events = tx.outbox.by_seq(d.event_seq for d in claimed)
            for d in claimed:
                channel = tx.channels.get(d.channel_id) if d.channel_id else None
                recipient = self._recipient(tx, d)
                event = events.get(d.event_seq)
                data = render(tx, event, recipient) if event and recipient else None
                body = envelope(event, d.key, data) if event and data is not None else None
                jobs.append((d, body, channel.secret if channel else None))
        results = list(self._pool.map(lambda job: self._send(*job), jobs))
        done = self.services.clock.now()
        with self.services.store.write() as tx:
            for d, error in results:
                tx.deliveries.update(self._outcome(d, error, done))
        return sum(1 for _, error in results if error is None)

    def _recipient(self, tx: Transaction, d: Delivery) -> Recipient | None:
        if d.agency_id is None:
            return WATCH
        agency = tx.agencies.get(d.agency_id)
        return for_agency(agency) if agency else None

    def _send(
        self, d: Delivery, body: dict[str, Any] | None, secret: str | None
    ) -> tuple[Delivery, DeliveryError | None]:
        try:
            if body is None:
                raise DeliveryError("nothing this recipient may be shown", retry=False)
            if d.channel is ChannelKind.WEBHOOK:
                payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
                self.webhooks.send(d.target, secret or "", payload, d.key)
            elif d.channel is ChannelKind.EMAIL:
                self.email.send(d.target, body, d.key)
            return d, None
        except DeliveryError as exc:
            return d, exc
        except Exception as exc:  # a bug in one send must not stop the others
            log.exception("delivery %s failed", d.key)
            return d, DeliveryError(f"{type(exc).__name__}: {exc}")

    def _outcome(self, d: Delivery, error: DeliveryError | None, now: datetime) -> Delivery:
        s = self.services.settings
        if error is None:
            return replace(d, status=DeliveryStatus.SENT, sent_at=now, next_attempt_at=None, last_error=None)
        if not error.retry or d.attempts >= s.delivery_max_attempts:
            return replace(d, status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=str(error)[:500])
        wait = backoff(d.attempts, s.delivery_backoff_seconds, s.delivery_backoff_max_seconds)
        return replace(d, next_attempt_at=now + wait, last_error=str(error)[:500])


def main() -> None:
    """Run the worker alone (when the API processes run with COMMONGROUND_NOTIFY_WORKER=false)."""
    import signal

    from commonground.bootstrap import build_services
    from commonground.notify.hub import EventHub

    logging.basicConfig(level=logging.INFO)
    services = build_services()
    hub = EventHub(services)
    worker = DeliveryWorker(services, wake=hub.worker_wake)
    hub.start()
    worker.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    worker.stop()
    hub.stop()
    services.close()


if __name__ == "__main__":
    main()
