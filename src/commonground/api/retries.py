"""Safe retries over HTTP: every POST and PATCH of the API honours ``Idempotency-Key`` (docs/retries.md).

The key is scoped to the caller's credential (its digest: the same token or console session),
the request is fingerprinted (method, path, query, ``If-Match`` and body), and the first
answer is kept sealed with AES-GCM under a key derived from that credential and the
idempotency key, so the store never holds a readable response (a token's secret, say).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Coroutine
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from commonground.domain.errors import InvalidInput, StateConflict
from commonground.domain.retries import HEADER, Answer, Verdict, check_key
from commonground.edge.cookies import COOKIE
from commonground.edge.deps import bearer_token, get_services

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
RETRIED_METHODS = frozenset({"POST", "PATCH"})
# Answers a retry must not repeat: the caller may fix its credential, wait out a limit, or the store recover.
_NOT_KEPT = frozenset({401, 403, 429})
_REPEATED_HEADERS = ("etag", "location")
REPLAYED = "Idempotent-Replayed"


def _credential(request: Request) -> str | None:
    token = bearer_token(request)
    if token is not None:
        return f"bearer:{token}"
    session = request.cookies.get(COOKIE)
    return f"session:{session}" if session else None


def _fingerprint(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query, request.headers.get("if-match", "")):
        digest.update(part.encode() + b"\0")
    digest.update(body)
    return digest.hexdigest()


def _sealing_key(credential: str, key: str) -> bytes:
    return hashlib.sha256(f"commonground retry seal\0{credential}\0{key}".encode()).digest()


def _seal(credential: str, key: str, body: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_sealing_key(credential, key)).encrypt(nonce, body, None)


def _unseal(credential: str, key: str, sealed: bytes) -> bytes:
    return AESGCM(_sealing_key(credential, key)).decrypt(sealed[:12], sealed[12:], None)


def safe_retries(handler: Handler) -> Handler:
    """Wrap a POST or PATCH route's handler: a repeated key answers the first response, once only doing the work."""

    async def retried(request: Request) -> Response:
        raw = request.headers.get(HEADER)
        credential = _credential(request)
        if raw is None or credential is None:  # no key, or no caller (the route answers 401 itself)
            return await handler(request)
        key = check_key(raw)
        scope = hashlib.sha256(credential.encode()).hexdigest()
        retries = get_services(request).retries
        found, kept = await run_in_threadpool(retries.claim, scope, key, _fingerprint(request, await request.body()))
        if found is Verdict.DIFFERENT:
            raise InvalidInput(HEADER, "was used with a different request; send a new key for a new request")
        if found is Verdict.IN_PROGRESS:
            raise StateConflict(f"{HEADER}: the first request with this key is still being answered; try again")
        if kept is not None:
            again = _unseal(credential, key, kept.body)
            replayed = {**dict(kept.headers), REPLAYED: "true"}
            return Response(again, status_code=kept.status, media_type=kept.media_type, headers=replayed)
        try:
            response = await handler(request)
        except BaseException:
            await run_in_threadpool(retries.release, scope, key)
            raise
        body = getattr(response, "body", None)
        if response.status_code in _NOT_KEPT or response.status_code >= 500 or not isinstance(body, bytes):
            await run_in_threadpool(retries.release, scope, key)
            return response
        headers = tuple((name, response.headers[name]) for name in _REPEATED_HEADERS if name in response.headers)
        media_type = response.media_type or response.headers.get("content-type", "application/json")
        answer = Answer(response.status_code, media_type, headers, _seal(credential, key, body))
        await run_in_threadpool(retries.keep, scope, key, answer)
        return response

    return retried
