"""Near-misses: two teams that met without knowing, recorded by the agencies involved or the watch."""

from __future__ import annotations

from fastapi import APIRouter, Request

from commonground.api.deps import ConflictsUser, ServicesDep, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.common import dump
from commonground.api.schemas.near_misses import NearMissCreate, NearMissesPublic, NearMissPublic

router = APIRouter(tags=["near-misses"], route_class=PublicRoute)


@router.post("/near-misses", status_code=201, responses=fails(403, 422))
def report_near_miss(body: NearMissCreate, services: ServicesDep, who: ConflictsUser) -> NearMissPublic:
    """Record a near-miss: teams that met without knowing of each other. The agencies running the named
    operations and the watch center see it; it is counted in the participation reports."""
    return NearMissPublic.model_validate(services.near_misses.report(who, dump(body)).to_dict())


@router.get("/near-misses", responses=fails(422))
def list_near_misses(
    request: Request, services: ServicesDep, who: ConflictsUser, limit: int | None = None, cursor: str | None = None
) -> NearMissesPublic:
    """Near-misses the caller's agency is involved in (the watch center: every one), newest first."""
    page = services.near_misses.list(who, page_limit(request, limit), cursor)
    return NearMissesPublic.model_validate({"items": [v.to_dict() for v in page.items], "next": page.next})
