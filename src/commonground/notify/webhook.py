"""Signed webhooks: HMAC-SHA256 over ``timestamp + "." + body``, no redirects, no private targets.

Targets are checked at connection: the name is resolved once, every answer checked, and the
connection made to the checked address (``pinned``), never re-resolved by the HTTP client.

Why refuse private, loopback and link-local targets: an agency admin must not be able to
make the server call into its own network (cloud metadata, admin ports). An installation
that really wants such a target lists its network in ``COMMONGROUND_WEBHOOK_ALLOWED_NETWORKS``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import httpx
from standardwebhooks.webhooks import Webhook

from commonground.domain.errors import DeliveryError
from commonground.domain.notifications import check_webhook_url

# Deprecated: kept for one version beside the Standard Webhooks headers (docs/notifications.md).
SIGNATURE_HEADER = "X-CommonGround-Signature"
MAX_TIMEOUT_S = 10.0
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header value ``t=<unix seconds>,v1=<hex HMAC-SHA256>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def standard_headers(
    secret: str, message_id: str, timestamp: int, body: bytes, also: Sequence[str] = ()
) -> dict[str, str]:
    """The Standard Webhooks headers (standardwebhooks.com); the HMAC key is the channel secret's UTF-8 bytes.

    A receiver verifies with ``Webhook(secret.encode())`` or ``Webhook("whsec_" + base64(secret))``.
    During a rotation ``also`` holds the replaced secret: one more signature, space-separated, as
    the specification allows, so a receiver holding either secret verifies."""
    when = datetime.fromtimestamp(timestamp, UTC)
    signatures = " ".join(Webhook(s.encode()).sign(message_id, when, body.decode()) for s in (secret, *also))
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": signatures}


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


Resolver = Callable[[str, int], Sequence[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Return every address the system resolver gives for ``host`` (zone ids dropped)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


def internal(ip: IPAddress) -> bool:
    """Is ``ip`` (or the IPv4 address an IPv6 one maps) private, loopback, link-local, multicast or reserved?"""
    inner = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
    return (
        inner.is_private
        or inner.is_loopback
        or inner.is_link_local
        or inner.is_reserved
        or inner.is_multicast
        or inner.is_unspecified
    )


def check_target(url: str, allowed: Sequence[IPNetwork], resolve: Resolver = system_resolver) -> IPAddress:
    """Resolve the target once; refuse it if any answer is internal and not allowed; return the address to use."""
    check_webhook_url(url)
    parts = urlsplit(url)
    return check_host(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), allowed, resolve)


def check_host(host: str, port: int, allowed: Sequence[IPNetwork], resolve: Resolver = system_resolver) -> IPAddress:
    """Resolve ``host`` once; refuse it if any answer is internal and not allowed (webhook, CAD, TAK targets)."""
    try:
        addresses = [ipaddress.ip_address(a) for a in resolve(host, port)]
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise DeliveryError(f"cannot resolve {host}: no address")
    for ip in addresses:
        inner = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
        if internal(ip) and not any(inner in net or ip in net for net in allowed):
            raise DeliveryError(f"{host} resolves to a non-public address ({inner}); refused", retry=False)
    return addresses[0]


def pinned(url: str, address: IPAddress) -> tuple[str, str]:
    """Return ``url`` with its host replaced by the checked ``address``, and the Host header it needs."""
    parts = urlsplit(url)
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), parts.netloc


class HttpWebhookSender:
    """POST one signed JSON body; 2xx is success, 5xx, 408, 429 and network errors are retried.

    The target's name is resolved once, checked, and the connection made to that address, so
    a name that answers a second look-up differently (DNS rebinding) cannot reach inside. The
    Host header and, over HTTPS, the TLS server name and certificate check keep the name.
    """

    def __init__(
        self,
        timeout_s: float,
        allowed: Sequence[IPNetwork],
        resolve: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,  # a test's own CA; the system's otherwise
    ) -> None:
        self.allowed = list(allowed)
        self.resolve = resolve
        self.client = httpx.Client(
            timeout=min(timeout_s, MAX_TIMEOUT_S), follow_redirects=False, trust_env=False, verify=verify
        )

    def send(self, url: str, secret: str, body: bytes, key: str, also: Sequence[str] = ()) -> None:
        address = check_target(url, self.allowed, self.resolve)
        target, host_header = pinned(url, address)
        now = int(time.time())
        headers = {
            "Host": host_header,
            "Content-Type": "application/json",
            "User-Agent": "CommonGround-Webhook/1",
            "Idempotency-Key": key,
            SIGNATURE_HEADER: sign(secret, now, body),
            **standard_headers(secret, key, now, body, also),
        }
        hostname = urlsplit(url).hostname or ""
        extensions = {"sni_hostname": hostname} if url.lower().startswith("https:") else {}
        try:
            response = self.client.post(target, content=body, headers=headers, extensions=extensions)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if 200 <= response.status_code < 300:
            return
        if 300 <= response.status_code < 400:
            raise DeliveryError(f"HTTP {response.status_code}: redirect refused, not followed", retry=False)
        retry = response.status_code >= 500 or response.status_code in (408, 429)
        raise DeliveryError(f"HTTP {response.status_code}", retry=retry)

    def close(self) -> None:
        self.client.close()
