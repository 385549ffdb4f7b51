"""Between installations: ``POST /federation/v1/notice``, a peer's jurisdiction notice (docs/federation.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from commonground.api.deps import Public, get_services
from commonground.api.schemas.operations import OperationPublic
from commonground.domain.errors import InvalidInput
from commonground.service.federation import WIRE_PREFIX
from commonground.service.federation_notices import NOTICE_PATH

router = APIRouter(include_in_schema=False)


def listable(view: object) -> None:
    """Refuse a view that ``GET /api/v1/notices`` could not list: one bad peer must not break the list."""
    try:
        OperationPublic.model_validate(view)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise InvalidInput(f"operation.{where}" if where else "operation", "is not a disclosed operation") from None


@router.post(f"{WIRE_PREFIX}{NOTICE_PATH}")
async def notice(request: Request, _: Public) -> Response:
    """Keep a peer's operation as a notice for each agency here whose jurisdiction it reaches.

    No bearer token (``Public``): the RFC 9421 signature of a registered peer is the credential."""
    services = get_services(request)
    federation = services.federation
    body = await request.body()
    url = f"{federation.url}{request.url.path}"  # verified against this installation's public URL
    headers = dict(request.headers.items())

    def handle() -> tuple[dict[str, str], bytes]:
        inbound = federation.receive(request.method, url, headers, body)
        listable(inbound.body.get("operation"))
        return federation.reply(request.method, url, 200, services.federated_notices.answer(inbound))

    signed_headers, answer = await run_in_threadpool(handle)
    return Response(answer, status_code=200, headers=signed_headers, media_type=None)
