"""An agency's sensitive places (schools, hospitals, ...), which operations nearby are told of."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from commonground.api.deps import AgencyAdmin, ServicesDep
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.common import ID_EXAMPLE, Public, described

router = APIRouter(tags=["agencies"], route_class=PublicRoute)

EXAMPLE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [-93.2650, 44.9778]},
            "properties": {"category": "school", "name": "Central Elementary"},
        }
    ],
}


class SensitivePlacesPublic(Public):
    agency_id: str = described("The agency.", ID_EXAMPLE)
    places: int = described("How many places it now has.", 1)


@router.put("/agencies/{agency_id}/sensitive-places", responses=fails(403, 404, 422))
def put_places(
    agency_id: str,
    services: ServicesDep,
    who: AgencyAdmin,
    body: dict[str, Any] = Body(
        description="A GeoJSON FeatureCollection of Points or Polygons; `properties.category` one of `school`, "
        "`hospital`, `courthouse`, `place_of_worship`, `shelter`, `polling_place`, `public_event`, `other`; "
        "optional `properties.name` and `properties.window: {starts_at, ends_at}` (an event). Replaces the set.",
        examples=[EXAMPLE],
    ),
) -> SensitivePlacesPublic:
    """Replace the agency's sensitive places; an operation within 300 m of one is told so."""
    return SensitivePlacesPublic.model_validate(services.sensitive_places.put(who, agency_id, body))
