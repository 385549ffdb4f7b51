"""Between installations: ``POST /federation/v1/conflict-status``, a peer's step of a remote conflict."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from commonground.api.deps import Public, get_services
from commonground.api.routes.wire import answer_signed
from commonground.service.federation import WIRE_PREFIX
from commonground.service.federation_workflow import STATUS_PATH

router = APIRouter(include_in_schema=False)


@router.post(f"{WIRE_PREFIX}{STATUS_PATH}")
async def conflict_status(request: Request, _: Public) -> Response:
    """Apply a peer's acknowledgement or close to this side's copy of the pair.

    No bearer token (``Public``): the RFC 9421 signature of a registered peer is the credential."""
    return await answer_signed(request, get_services(request).conflict_workflow.answer)
