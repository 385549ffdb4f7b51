"""One log line per request, with a request id the response echoes (``X-Request-ID``).

The id comes from the caller (a load balancer's) when it looks like one, and is made here
otherwise. The line names the route's template, never the query string: a look-up's query is a
place."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commonground import logs

HEADER = "x-request-id"
GIVEN = re.compile(r"[A-Za-z0-9._:-]{1,128}")
log = logs.get("commonground.request")


def request_id(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is a plain token of at most 128 characters, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == HEADER.encode():
            given = str(value.decode("latin-1"))
            if GIVEN.fullmatch(given):
                return given
    return uuid.uuid4().hex


class RequestLog:
    """Pure ASGI, so a live stream is neither buffered nor held: its line is written when it ends."""

    def __init__(
        self, app: ASGIApp, enabled: bool = True, observe: Callable[[str, str, int, float], None] | None = None
    ) -> None:
        self.app, self.enabled, self.observe = app, enabled, observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        tokens = logs.bind_request(rid)
        started = time.perf_counter()
        status = 500

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            took, route = time.perf_counter() - started, route_template(scope)
            if self.observe is not None:
                self.observe(scope["method"], route, status, took)
            if self.enabled:
                log.info(
                    "request",
                    method=scope["method"],
                    path=route,
                    status=status,
                    duration_ms=round(took * 1000, 2),
                    client=(scope.get("client") or ("", 0))[0],
                )
            logs.unbind_request(tokens)


def route_template(scope: Scope) -> str:
    """The path with each path parameter put back as ``{name}`` (``/api/v1/agencies/{agency_id}``);
    a path no route matched is ``unmatched``, so a scan cannot fill the log or the metrics with paths."""
    if scope.get("route") is None:
        return "/static" if str(scope.get("path", "")).startswith("/static/") else "unmatched"
    names = {str(v): k for k, v in (scope.get("path_params") or {}).items()}
    parts = str(scope.get("path", "")).split("/")
    return "/".join(f"{{{names[p]}}}" if p in names else p for p in parts)
