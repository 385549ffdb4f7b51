"""Request bodies refused by size and by nesting before anything parses them (docs/security.md).

A pure ASGI middleware: it reads the body itself, counting bytes as they arrive (a stated
``Content-Length`` or chunks alike), so a 10 MB body costs the server at most the limit,
and no handler ever sees a body the parser could choke on (Python's ``json`` raises
``RecursionError`` a thousand levels down).
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commonground.api.errors import envelope

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# A jurisdiction may be drawn with 50,000 positions (a county's surveyed outline): about 1.5 MB of GeoJSON.
DEFAULT_MAX_JURISDICTION_BODY_BYTES = 4 * 1024 * 1024
JURISDICTION_PATH = re.compile(r"^/api/v1/agencies/[^/]+/jurisdiction$")
# The deepest honest document is a MultiPolygon inside a body: five or six levels.
MAX_JSON_DEPTH = 32
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Tell whether ``body``'s arrays and objects nest deeper than ``limit`` (brackets in strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the common case, decided without a Python loop
    depth = 0
    in_string = False
    escaped_at = -1
    for match in _STRUCTURE.finditer(body):
        at, char = match.start(), match.group()
        if at == escaped_at:
            continue
        if in_string:
            if char == b"\\":
                escaped_at = at + 1
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return b"json" in value.lower()
    return False


class BodyLimit:
    """Answer 413 (naming ``body``) to a body over ``max_bytes``, and 422 to JSON nested too deep."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        jurisdiction_bytes: int = DEFAULT_MAX_JURISDICTION_BODY_BYTES,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.jurisdiction_bytes = max(jurisdiction_bytes, max_bytes)

    def _limit(self, scope: Scope) -> int:
        """The body limit of this request: larger only for ``PUT`` of a jurisdiction (an agency admin's)."""
        if scope.get("method") == "PUT" and JURISDICTION_PATH.match(scope.get("path", "")):
            return self.jurisdiction_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(scope, receive, send)
            return
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)  # the client left; let the app see it
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(scope, receive, send)
                return
            parts.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(parts)
        if body and _is_json(scope) and json_depth_exceeds(body):
            refused = envelope(
                422,
                "invalid_input",
                f"body: arrays and objects nest at most {MAX_JSON_DEPTH} deep",
                [{"field": "body", "message": f"arrays and objects nest at most {MAX_JSON_DEPTH} deep"}],
            )
            await refused(scope, receive, send)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"must be at most {self._limit(scope)} bytes"
        details = [{"field": "body", "message": message}]
        # Close the connection: the rest of the body is never read.
        refused = envelope(413, "body_too_large", f"body: {message}", details, {"Connection": "close"})
        await refused(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """Hand the app the body already read, then the real channel (a disconnect, for a live stream)."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
