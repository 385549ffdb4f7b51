"""Kept-alive connections to peer installations, on the standard library's HTTP/1.1 client.

A probe is one small POST and its answer. Through ``httpx`` that cost the submitting process
about 0.8 ms of CPU per request on loopback; through ``http.client`` it costs 0.26 ms, and a
submission with two peers pays it twice under one GIL (docs/performance.md, change 12). The pool
is the little ``httpx`` gave this path: a connection per peer kept for ``keepalive_s``, never one
the peer has closed, and nothing read from the environment (no proxy) or followed (no redirect).
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from commonground.domain.errors import DeliveryError
from commonground.service.ports import WireReply

Origin = tuple[str, str, int]  # scheme, host, port


@dataclass
class _Idle:
    conn: http.client.HTTPConnection
    since: float


def _closed_by_peer(conn: http.client.HTTPConnection) -> bool:
    """An idle connection the peer has closed (or sent something unasked on) reads as ready."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


@dataclass
class PeerConnections:
    """Thread-safe: each request takes a connection no other thread holds, and gives it back when whole."""

    keepalive_s: float
    max_idle_per_peer: int = 8
    max_answer_bytes: int = 16 * 1024 * 1024
    _idle: dict[Origin, list[_Idle]] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _tls: ssl.SSLContext | None = field(default=None, init=False, repr=False)

    def post(self, url: str, headers: dict[str, str], body: bytes, timeout: float) -> WireReply:
        """POST ``body`` and read the whole answer; ``DeliveryError`` when there is none to read."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DeliveryError(f"not an http(s) URL: {url}", retry=False)
        origin = (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = self._take(origin, timeout)
        try:
            conn.request("POST", target, body=body, headers=headers)
            answer = conn.getresponse()
            content = answer.read(self.max_answer_bytes + 1)
            if len(content) > self.max_answer_bytes:
                raise DeliveryError(f"the answer is over {self.max_answer_bytes} bytes", retry=False)
            reply = WireReply(answer.status, {k.lower(): v for k, v in answer.getheaders()}, content)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        if answer.will_close:
            conn.close()
        else:
            self._give_back(origin, conn)
        return reply

    def _take(self, origin: Origin, timeout: float) -> http.client.HTTPConnection:
        now = time.monotonic()
        with self._lock:
            idle = self._idle.get(origin, [])
            while idle:
                kept = idle.pop()
                if now - kept.since < self.keepalive_s and not _closed_by_peer(kept.conn):
                    if kept.conn.sock is not None:
                        kept.conn.sock.settimeout(timeout)
                    return kept.conn
                kept.conn.close()
        scheme, host, port = origin
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=self._tls_context())
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def _give_back(self, origin: Origin, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < self.max_idle_per_peer:
                idle.append(_Idle(conn, time.monotonic()))
                return
        conn.close()

    def _tls_context(self) -> ssl.SSLContext:
        """Built on first use (tens of milliseconds): certificates checked against the system's store."""
        with self._lock:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            return self._tls

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for kept in (k for conns in idle.values() for k in conns):
            kept.conn.close()
