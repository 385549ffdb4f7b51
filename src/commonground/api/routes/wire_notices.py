"""Between installations: ``POST /federation/v1/notice``, a peer's jurisdiction notice (docs/federation.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from commonground.api.deps import Public, get_services
from commonground.api.routes.wire import answer_signed
from commonground.api.schemas.operations import OperationPublic
from commonground.domain.errors import InvalidInput
from commonground.service.federation import WIRE_PREFIX, Inbound
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
    notices = get_services(request).federated_notices

    def answer(inbound: Inbound) -> dict[str, Any]:
        listable(inbound.body.get("operation"))
        return notices.answer(inbound)

    return await answer_signed(request, answer)
