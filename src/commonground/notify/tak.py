"""CoT events to an agency's TAK server over TCP or TLS: one connection per delivery, events one after another.

The target is checked as a webhook's is (``notify.webhook.check_host``): resolved once, refused when
internal and not in ``COMMONGROUND_WEBHOOK_ALLOWED_NETWORKS``, connected to the checked address. Over
TLS the server's certificate is checked against its name (the system's CAs, or the context given).
TAK streaming input takes events back to back; each is followed by a newline for readers that split
on lines. Nothing comes back, so a delivery counts as sent once the server took every byte.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Sequence

from commonground.domain.errors import DeliveryError
from commonground.domain.notifications import parse_tak_target
from commonground.notify.webhook import MAX_TIMEOUT_S, IPNetwork, Resolver, check_host, system_resolver


def _finish(conn: socket.socket) -> None:
    """Say the stream is done (TLS: close_notify) so the server reads to its end, not to a reset."""
    if isinstance(conn, ssl.SSLSocket):
        with contextlib.suppress(OSError):  # a server may close without answering close_notify
            conn.unwrap()
        return
    conn.shutdown(socket.SHUT_WR)


class SocketTakSender:
    """Send CoT XML over a fresh TCP (or TLS) connection; connection errors are retried."""

    def __init__(
        self,
        timeout_s: float,
        allowed: Sequence[IPNetwork],
        *,
        tls: ssl.SSLContext | None = None,
        resolve: Resolver = system_resolver,
    ) -> None:
        self.timeout_s, self.allowed, self.resolve = min(timeout_s, MAX_TIMEOUT_S), list(allowed), resolve
        self.tls = tls or ssl.create_default_context()  # a test's own CA; the system's otherwise

    def send(self, target: str, events: Sequence[bytes], key: str) -> None:
        try:
            host, port, use_tls = parse_tak_target(target)
        except ValueError as exc:
            raise DeliveryError(str(exc), retry=False) from exc
        address = check_host(host, port, self.allowed, self.resolve)
        try:
            with socket.create_connection((str(address), port), timeout=self.timeout_s) as raw:
                conn = self.tls.wrap_socket(raw, server_hostname=host) if use_tls else raw
                with conn:
                    for event in events:
                        conn.sendall(event + b"\n")
                    _finish(conn)
        except OSError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Nothing held between sends."""
