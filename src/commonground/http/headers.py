"""Security headers on every response, API and console alike (docs/security.md, "Headers").

A pure ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``: it only adds headers
to ``http.response.start``, so live event streams pass through unbuffered.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/api/"
HSTS = "max-age=31536000; includeSubDomains"


def origin(url: str) -> list[str]:
    """The URL's origin as a CSP source, or nothing when it is not an http(s) URL."""
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in ("http", "https") and parts.hostname else []


def content_security_policy(tile_url: str = "", geocoder_url: str = "") -> str:
    """Return the console's policy: only this origin, no inline script or style, never framed."""
    images = ["'self'", "data:", *origin(tile_url)]  # the map's tile server, if one is set
    connect = ["'self'", *origin(geocoder_url)]  # the address search, if one is set
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(images)}",
            f"connect-src {' '.join(connect)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """Add CSP, framing, sniffing and referrer headers; HSTS over HTTPS; ``no-store`` on the API."""

    def __init__(self, app: ASGIApp, tile_url: str = "", geocoder_url: str = "") -> None:
        self.app = app
        self.common: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", content_security_policy(tile_url, geocoder_url).encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.common)
        # The scheme uvicorn reports: "https" when it terminates TLS itself, or when a trusted
        # proxy says so and uvicorn runs with --proxy-headers / --forwarded-allow-ips.
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", HSTS.encode()))
        api = str(scope.get("path", "")).startswith(API_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _merge(message.get("headers", []), extra, api)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _merge(
    headers: Iterable[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]], api: bool
) -> list[tuple[bytes, bytes]]:
    out = list(headers)
    present = {name.lower() for name, _ in out}
    out.extend((name, value) for name, value in extra if name not in present)
    if api:
        out = [(n, v) for n, v in out if n.lower() != b"cache-control"]
        out.append((b"cache-control", b"no-store"))
    return out
