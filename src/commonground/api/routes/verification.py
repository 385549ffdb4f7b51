"""On-scene verification for officers: `GET /verify` near a point, `GET /verify/plate` by a plate."""

from __future__ import annotations

from fastapi import APIRouter

from commonground.api.deps import ServicesDep, Verifier
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.verification import VerificationPublic

router = APIRouter(tags=["verification"], route_class=PublicRoute)


@router.get("/verify", responses=fails(403, 422, 429))
def verify(
    services: ServicesDep, who: Verifier, lat: float, lon: float, radius_m: float | None = None
) -> VerificationPublic:
    """Is a registered team within `radius_m` (default 200, at most 1,000) of the point, now or within 2 hours?

    Only inside the caller agency's jurisdiction when it has one (403 otherwise); each team is told at once
    (`verify.nearby`); counted against the caller's look-up limit."""
    return VerificationPublic.model_validate(services.verifications.near(who, lat, lon, radius_m).to_dict())
