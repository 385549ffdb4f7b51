"""On-scene verification for officers: `GET /verify` near a point, `GET /verify/plate` by a plate."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from commonground.api.deps import ServicesDep, Verifier
from commonground.api.geojson import GEOJSON_ANSWER, feature_collection, wants_geojson
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.verification import PlateVerificationPublic, VerificationPublic

router = APIRouter(tags=["verification"], route_class=PublicRoute)


@router.get("/verify", response_model=VerificationPublic, responses=fails(403, 422, 429) | GEOJSON_ANSWER)
def verify(
    request: Request, services: ServicesDep, who: Verifier, lat: float, lon: float, radius_m: float | None = None
) -> VerificationPublic | JSONResponse:
    """Is a registered team within `radius_m` (default 200, at most 1,000) of the point, now or within 2 hours?

    Only inside the caller agency's jurisdiction when it has one (403 otherwise); each team is told at once
    (`verify.nearby`); counted against the caller's look-up limit. `Accept: application/geo+json` answers a
    FeatureCollection, one Feature per team, its properties the same item."""
    answer = VerificationPublic.model_validate(services.verifications.near(who, lat, lon, radius_m).to_dict())
    if wants_geojson(request):
        teams = answer.model_dump(mode="json", exclude_unset=True)["teams"]
        return feature_collection(teams, lambda item: item.get("area"), None)
    return answer


@router.get("/verify/plate", responses=fails(422, 429))
def verify_plate(services: ServicesDep, who: Verifier, plate: str, state: str | None = None) -> PlateVerificationPublic:
    """Does the plate belong to a registered team active now or starting within 2 hours?

    The plate is normalised as a vehicle subject's (`abc-123` finds `ABC123`); a `state` narrows it. The team
    found is told at once (`verify.nearby`, with the plate); counted against the caller's look-up limit."""
    return PlateVerificationPublic.model_validate(services.verifications.plate(who, plate, state).to_dict())
