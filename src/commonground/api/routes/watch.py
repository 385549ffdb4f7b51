"""The watch center's own routes: the operations it must chase, the conflicts it owns and the calls it makes."""

from __future__ import annotations

from fastapi import APIRouter, Request

from commonground.api.deps import ServicesDep, WatchCenter, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.routes.conflicts import conflict_public
from commonground.api.schemas.common import dump
from commonground.api.schemas.conflicts import AssignBody, ConflictPublic, ContactBody
from commonground.api.schemas.operations import OperationsPublic

router = APIRouter(tags=["watch"], route_class=PublicRoute)


@router.get("/watch/overdue", responses=fails(422))
def overdue(
    request: Request, services: ServicesDep, who: WatchCenter, limit: int | None = None, cursor: str | None = None
) -> OperationsPublic:
    """Every agency's operations past their end, neither completed nor cancelled, at each owner's watch level."""
    page = services.operations.overdue(who, page_limit(request, limit), cursor)
    return OperationsPublic.model_validate({"items": [v.to_dict() for v in page.items], "next": page.next})


@router.post("/conflicts/{conflict_id}/assign", tags=["conflicts"], responses=fails(404, 409, 422))
def assign(conflict_id: str, services: ServicesDep, who: WatchCenter, body: AssignBody | None = None) -> ConflictPublic:
    """Take ownership of a conflict (or give it to another watch user); both sides see who handles it."""
    return conflict_public(services.conflicts.assign(who, conflict_id, dump(body) if body else {}))


@router.post("/conflicts/{conflict_id}/contacts", status_code=201, tags=["conflicts"], responses=fails(404, 409, 422))
def contact(conflict_id: str, body: ContactBody, services: ServicesDep, who: WatchCenter) -> ConflictPublic:
    """Record an attempt to reach one side of the conflict; the answer lists every attempt so far."""
    return conflict_public(services.conflicts.contact(who, conflict_id, dump(body)))
