"""Between installations: ``POST /federation/v1/…``, every request and answer signed (docs/federation.md).

Outside the API v1 document: a peer installation, not a person, is the caller, and it is
authenticated by its RFC 9421 signature, not by a bearer token.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from commonground.api.deps import Public, get_services
from commonground.service.federation import WIRE_PREFIX, Inbound

router = APIRouter(include_in_schema=False)


async def answer_signed(request: Request, answer: Callable[[Inbound], Mapping[str, Any]]) -> Response:
    """Verify a peer's request against this installation's public URL, act on it, sign the answer."""
    federation = get_services(request).federation
    body = await request.body()
    url = f"{federation.url}{request.url.path}"
    headers = dict(request.headers.items())

    def handle() -> tuple[dict[str, str], bytes]:
        return federation.reply(
            request.method, url, 200, answer(federation.receive(request.method, url, headers, body))
        )

    signed_headers, signed = await run_in_threadpool(handle)
    return Response(signed, status_code=200, headers=signed_headers, media_type=None)


@router.post(f"{WIRE_PREFIX}/probe")
async def probe(request: Request, _: Public) -> Response:
    """Answer a peer's probe with the local operations it conflicts with, as disclosed to it.

    No bearer token (``Public``): the RFC 9421 signature of a registered peer is the credential; it
    covers this installation's public authority and the path, so a request signed for another
    installation or endpoint does not verify here."""
    return await answer_signed(request, get_services(request).federation.answer_probe)
