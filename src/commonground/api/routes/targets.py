"""Case targets: a case's subjects matched against every new operation and other agencies' targets."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from commonground.api.deps import ServicesDep, TargetsUser, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.common import dump
from commonground.api.schemas.conflicts import TargetCheckedPublic
from commonground.api.schemas.targets import CasePublic, TargetCreate, TargetsPublic

router = APIRouter(tags=["targets"], route_class=PublicRoute)


@router.post("/targets", status_code=201, responses=fails(403, 422))
def register_target(body: TargetCreate, services: ServicesDep, who: TargetsUser) -> TargetCheckedPublic:
    """Register a case's subjects: matched, clear or blinded, against every new or changed operation and every
    other agency's target until `expires_at` (at most a year); the answer carries the conflicts found now."""
    view, conflicts = services.targets.register(who, dump(body))
    return TargetCheckedPublic.model_validate({**view.to_dict(), "conflicts": [c.to_dict() for c in conflicts]})


@router.get("/targets", responses=fails(422))
def list_targets(
    request: Request, services: ServicesDep, who: TargetsUser, limit: int | None = None, cursor: str | None = None
) -> TargetsPublic:
    """The caller's agency's targets not deleted (expired ones too), newest first."""
    page = services.targets.list(who, page_limit(request, limit), cursor)
    return TargetsPublic.model_validate({"items": [v.to_dict() for v in page.items], "next": page.next})


@router.get("/targets/{target_id}", responses=fails(404, 422))
def get_target(target_id: str, services: ServicesDep, who: TargetsUser) -> CasePublic:
    """One of the agency's targets; another agency's answers as a missing one."""
    return CasePublic.model_validate(services.targets.get(who, target_id).to_dict())


@router.delete("/targets/{target_id}", status_code=204, response_class=Response, responses=fails(403, 404, 422))
def delete_target(target_id: str, services: ServicesDep, who: TargetsUser) -> Response:
    """Delete a target: it matches nothing from now on and its open conflicts close (officers: their own)."""
    services.targets.delete(who, target_id)
    return Response(status_code=204)
