"""Safe retries over HTTP: a POST or PATCH with an ``Idempotency-Key`` answers a retry from the store.

A pure ASGI middleware, inside the body limit: it reads the bounded body, claims the key for
the caller's credential before the handler runs (so a second process retrying at once is told
to wait), keeps the first answer beside it, and replays that answer (status and body) to a retry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commonground.api.errors import domain_response
from commonground.bootstrap import Services
from commonground.domain.errors import CommonGroundError
from commonground.domain.retries import check_key, fingerprint, owner_of

METHODS = frozenset({"POST", "PATCH"})
REPLAYED = b"idempotent-replayed"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class SafeRetries:
    """Answer a retried keyed request with the first answer, without doing the work again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if raw is None or scope["method"] not in METHODS or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        credential = _header(scope, b"authorization") or _header(scope, b"cookie")
        if credential is None:  # no caller: the route answers 401 itself
            await self.app(scope, receive, send)
            return
        services: Services = scope["app"].state.services
        body = await _body(receive)
        owner = owner_of(credential)
        try:
            key = check_key(raw)
            found = await run_in_threadpool(
                services.retries.claim,
                owner,
                key,
                fingerprint(scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"), body),
            )
        except CommonGroundError as refused:
            await domain_response(refused)(scope, receive, send)
            return
        if found is not None:
            await _replay(send, found.status or 200, found.content_type, found.body)
            return

        async def keep(status: int, content_type: str, answer: bytes) -> None:
            if status >= 500:  # the work may not have happened: a retry runs again
                await run_in_threadpool(services.retries.release, owner, key)
            else:
                await run_in_threadpool(services.retries.keep, owner, key, status, answer, content_type)

        answer = _Answer(send, keep)
        try:
            await self.app(scope, _once(body, receive), answer.send)
        except BaseException:
            if not answer.kept:
                await run_in_threadpool(services.retries.release, owner, key)
            raise
        if not answer.kept:
            await run_in_threadpool(services.retries.release, owner, key)


Keep = Callable[[int, str, bytes], Awaitable[None]]


class _Answer:
    """The handler's answer, kept with its key before its last byte leaves (a retry may follow at once)."""

    def __init__(self, send: Send, keep: Keep) -> None:
        self._send = send
        self._keep = keep
        self.kept = False
        self.status = 500
        self.content_type = "application/json"
        self.body: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            for name, value in message.get("headers", []):
                if name == b"content-type":
                    self.content_type = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            self.body.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False) and not self.kept:
                await self._keep(self.status, self.content_type, b"".join(self.body))
                self.kept = True
        await self._send(message)


async def _body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _once(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _replay(send: Send, status: int, content_type: str, body: bytes) -> None:
    headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode()),
        (REPLAYED, b"true"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
