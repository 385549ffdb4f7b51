"""Between installations: ``POST /federation/v1/conflict-status``, a peer's step of a remote conflict."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from commonground.api.deps import Public, get_services
from commonground.service.federation import WIRE_PREFIX
from commonground.service.federation_workflow import STATUS_PATH

router = APIRouter(include_in_schema=False)


@router.post(f"{WIRE_PREFIX}{STATUS_PATH}")
async def conflict_status(request: Request, _: Public) -> Response:
    """Apply a peer's acknowledgement or close to this side's copy of the pair.

    No bearer token (``Public``): the RFC 9421 signature of a registered peer is the credential."""
    services = get_services(request)
    federation = services.federation
    body = await request.body()
    url = f"{federation.url}{request.url.path}"  # verified against this installation's public URL
    headers = dict(request.headers.items())

    def handle() -> tuple[dict[str, str], bytes]:
        inbound = federation.receive(request.method, url, headers, body)
        return federation.reply(request.method, url, 200, services.conflict_workflow.answer(inbound))

    signed_headers, answer = await run_in_threadpool(handle)
    return Response(answer, status_code=200, headers=signed_headers, media_type=None)
