"""Between installations: ``POST /federation/v1/lookup``, a peer's dispatcher look-up (docs/federation.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from commonground.api.deps import Public, get_services
from commonground.api.routes.wire import answer_signed
from commonground.service.federation import WIRE_PREFIX
from commonground.service.federation_lookups import LOOKUP_PATH

router = APIRouter(include_in_schema=False)


@router.post(f"{WIRE_PREFIX}{LOOKUP_PATH}")
async def lookup(request: Request, _: Public) -> Response:
    """Answer a peer's look-up with the local operations near its point, at ``safety``.

    No bearer token (``Public``): the RFC 9421 signature of a registered peer is the credential."""
    return await answer_signed(request, get_services(request).federated_lookups.answer)
