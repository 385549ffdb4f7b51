"""One watcher per process that wakes live streams and the worker when events commit.

On PostgreSQL it LISTENs on ``cg_events`` (a trigger NOTIFYs at every commit that inserted
events, in whichever process), polling once a second as a fallback; on SQLite it polls
the outbox's highest sequence number every ``stream_poll_seconds``. It also records, in
batches, which user was told of which conflict over the stream, and gives streams their
shutdown path: uvicorn waits for open responses before it shuts the app down, so the hub
closes streams as soon as the server begins to shut down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import weakref
from datetime import datetime
from typing import Any

from commonground.bootstrap import Services
from commonground.domain.notifications import ChannelKind, Delivery, DeliveryStatus, delivery_key

log = logging.getLogger(__name__)
HUBS: weakref.WeakSet[EventHub] = weakref.WeakSet()
_hooked = False


class EventHub:
    def __init__(self, services: Services, app: Any = None) -> None:
        self.services = services
        self.app = app
        self.closing = threading.Event()
        self.worker_wake = threading.Event()
        self._subs: dict[asyncio.Event, asyncio.AbstractEventLoop] = {}
        self._lock = threading.Lock()
        self._receipts: list[Delivery] = []
        self._thread = threading.Thread(target=self._run, name="event-hub", daemon=True)
        HUBS.add(self)

    def start(self) -> None:
        install_shutdown_hook()
        self._thread.start()

    def stop(self) -> None:
        self.close_streams()
        self._thread.join(timeout=5)
        self._flush()

    def close_streams(self) -> None:
        self.closing.set()
        self._wake_all()

    # --- subscriptions (called on the event loop) --------------------------------------
    def subscribe(self) -> asyncio.Event:
        flag = asyncio.Event()
        with self._lock:
            self._subs[flag] = asyncio.get_running_loop()
        return flag

    def unsubscribe(self, flag: asyncio.Event) -> None:
        with self._lock:
            self._subs.pop(flag, None)

    def _wake_all(self) -> None:
        self.worker_wake.set()
        with self._lock:
            subs = list(self._subs.items())
        for flag, loop in subs:
            with contextlib.suppress(RuntimeError):  # the loop closed under us
                loop.call_soon_threadsafe(flag.set)

    # --- stream receipts -----------------------------------------------------------------
    def record(self, seq: int, object_id: str, agency_id: str | None, user_id: str, at: datetime) -> None:
        """Note that a user's stream carried a conflict event (written in the next batch)."""
        row = Delivery(
            delivery_key(seq, ChannelKind.STREAM.value, user_id),
            seq,
            object_id,
            agency_id,
            ChannelKind.STREAM,
            None,
            user_id,
            DeliveryStatus.SENT,
            1,
            None,
            None,
            at,
            at,
        )
        with self._lock:
            self._receipts.append(row)

    def _flush(self) -> None:
        with self._lock:
            rows, self._receipts = self._receipts, []
        if rows:
            try:
                with self.services.store.write() as tx:
                    tx.deliveries.add(rows)
            except Exception:
                log.exception("recording stream receipts failed")

    # --- the watch loop --------------------------------------------------------------------
    def _last_seq(self) -> int:
        with self.services.store.read() as tx:
            return tx.outbox.last_seq()

    def _run(self) -> None:
        url = self.services.settings.database_url
        last = -1
        ticks = 0
        listener = _Listener(url) if url.startswith("postgres") else None
        interval = self.services.settings.stream_poll_seconds
        while not self.closing.is_set():
            try:
                if listener is not None:
                    listener.wait(1.0, self.closing)
                else:
                    self.closing.wait(interval)
                if not self._subs:  # nobody to wake: no need to read the outbox
                    last = -1
                elif (seq := self._last_seq()) != last:
                    last = seq
                    self._wake_all()
            except Exception:
                log.exception("watching the outbox failed; retrying")
                self.closing.wait(1.0)
            ticks += 1
            if ticks % max(1, int(0.5 / interval)) == 0 or listener is not None:
                self._flush()
        if listener is not None:
            listener.close()


class _Listener:
    """LISTEN cg_events on a dedicated autocommit connection; reconnects when it drops."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.conn: Any = None

    def wait(self, timeout: float, closing: threading.Event) -> None:
        import psycopg

        try:
            if self.conn is None:
                self.conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
                self.conn.execute("LISTEN cg_events")
            for _ in self.conn.notifies(timeout=timeout, stop_after=1):
                break
        except psycopg.Error:
            self.close()
            closing.wait(timeout)  # fall back to polling until the database is back

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None


def install_shutdown_hook() -> None:
    """Close a server's streams when uvicorn starts shutting down, before it waits for them."""
    global _hooked
    if _hooked:
        return
    from uvicorn.server import Server

    original = Server.shutdown

    async def shutdown(self: Server, sockets: Any = None) -> None:
        app = self.config.app
        mine = [h for h in list(HUBS) if h.app is app]
        for hub in mine or (list(HUBS) if isinstance(app, str) else []):
            hub.close_streams()
        await original(self, sockets)

    Server.shutdown = shutdown  # type: ignore[method-assign]
    _hooked = True
