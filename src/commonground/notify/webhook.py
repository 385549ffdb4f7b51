"""Signed webhooks: HMAC-SHA256 over ``timestamp + "." + body``, no redirects, no private targets.

Why refuse private, loopback and link-local targets: an agency admin must not be able to
make the server call into its own network (cloud metadata, admin ports). An installation
that really wants such a target lists its network in ``COMMONGROUND_WEBHOOK_ALLOWED_NETWORKS``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from commonground.domain.errors import DeliveryError
from commonground.domain.notifications import check_webhook_url

SIGNATURE_HEADER = "X-CommonGround-Signature"
MAX_TIMEOUT_S = 10.0
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header value ``t=<unix seconds>,v1=<hex HMAC-SHA256>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, tolerance_s: int = 300, now: float | None = None) -> bool:
    """Check a signature header the way a receiver should (docs/notifications.md)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def parse_networks(text: str) -> list[IPNetwork]:
    return [ipaddress.ip_network(p.strip(), strict=False) for p in text.split(",") if p.strip()]


def check_target(url: str, allowed: Sequence[IPNetwork]) -> None:
    """Refuse a target that resolves to a private, loopback, link-local or reserved address."""
    check_webhook_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DeliveryError(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        inner = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
        internal = (
            inner.is_private
            or inner.is_loopback
            or inner.is_link_local
            or inner.is_reserved
            or inner.is_multicast
            or inner.is_unspecified
        )
        if internal and not any(inner in net for net in allowed):
            raise DeliveryError(f"{host} resolves to a non-public address ({inner}); refused", retry=False)


class HttpWebhookSender:
    """POST one signed JSON body; 2xx is success, 5xx, 408, 429 and network errors are retried."""

    def __init__(self, timeout_s: float, allowed: Sequence[IPNetwork]) -> None:
        self.allowed = list(allowed)
        self.client = httpx.Client(timeout=min(timeout_s, MAX_TIMEOUT_S), follow_redirects=False, trust_env=False)

    def send(self, url: str, secret: str, body: bytes, key: str) -> None:
        check_target(url, self.allowed)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "CommonGround-Webhook/1",
            "Idempotency-Key": key,
            SIGNATURE_HEADER: sign(secret, int(time.time()), body),
        }
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if 200 <= response.status_code < 300:
            return
        retry = response.status_code >= 500 or response.status_code in (408, 429)
        raise DeliveryError(f"HTTP {response.status_code}", retry=retry)

    def close(self) -> None:
        self.client.close()
