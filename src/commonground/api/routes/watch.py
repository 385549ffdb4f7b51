"""The watch center's own routes: the operations it must chase."""

from __future__ import annotations

from fastapi import APIRouter, Request

from commonground.api.deps import ServicesDep, WatchCenter, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.operations import OperationsPublic

router = APIRouter(tags=["watch"], route_class=PublicRoute)


@router.get("/watch/overdue", responses=fails(422))
def overdue(
    request: Request, services: ServicesDep, who: WatchCenter, limit: int | None = None, cursor: str | None = None
) -> OperationsPublic:
    """Every agency's operations past their end, neither completed nor cancelled, at each owner's watch level."""
    page = services.operations.overdue(who, page_limit(request, limit), cursor)
    return OperationsPublic.model_validate({"items": [v.to_dict() for v in page.items], "next": page.next})
