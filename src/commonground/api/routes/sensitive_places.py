"""Sensitive places (schools, hospitals, ...), which operations nearby are told of: an agency's, the installation's."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body

from commonground.api.deps import AgencyAdmin, PlacesWatch, ServicesDep
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.common import ID_EXAMPLE, Public, described

router = APIRouter(tags=["agencies"], route_class=PublicRoute)

POINT: dict[str, Any] = {"type": "Point", "coordinates": [-93.2650, 44.9778]}
SCHOOL: dict[str, Any] = {"category": "school", "name": "Central Elementary"}
EXAMPLE = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": POINT, "properties": SCHOOL}]}


COLLECTION = Body(
    description="A GeoJSON FeatureCollection of Points or Polygons; `properties.category` one of `school`, "
    "`hospital`, `courthouse`, `place_of_worship`, `shelter`, `polling_place`, `public_event`, `other`; "
    "optional `properties.name` and `properties.window: {starts_at, ends_at}` (an event). Replaces the set.",
    examples=[EXAMPLE],
)


class SensitivePlacesPublic(Public):
    agency_id: str = described("The agency.", ID_EXAMPLE)
    places: int = described("How many places it now has.", 1)


class InstallationPlacesPublic(Public):
    places: int = described("How many places the installation-wide set now has.", 1)


class PlaceFeaturePublic(Public):
    type: Literal["Feature"] = described("Always `Feature`.", "Feature")
    id: str = described("The place.", ID_EXAMPLE)
    geometry: dict[str, Any] = described("A GeoJSON Point or Polygon.", POINT)
    properties: dict[str, Any] = described(
        "`category`, and `name` and `window: {starts_at, ends_at}` when it was loaded with them.",
        SCHOOL,
    )


class PlaceCollectionPublic(Public):
    type: Literal["FeatureCollection"] = described("Always `FeatureCollection`.", "FeatureCollection")
    features: list[PlaceFeaturePublic] = described("The places, as loaded.", [])


@router.put("/agencies/{agency_id}/sensitive-places", responses=fails(403, 404, 422))
def put_places(
    agency_id: str, services: ServicesDep, who: AgencyAdmin, body: dict[str, Any] = COLLECTION
) -> SensitivePlacesPublic:
    """Replace the agency's sensitive places; an operation within 300 m of one is told so."""
    return SensitivePlacesPublic.model_validate(services.sensitive_places.put(who, agency_id, body))


@router.get("/agencies/{agency_id}/sensitive-places", responses=fails(403, 404, 422))
def get_places(agency_id: str, services: ServicesDep, who: AgencyAdmin) -> PlaceCollectionPublic:
    """Return the agency's sensitive places as loaded, so its administrator can check them."""
    return PlaceCollectionPublic.model_validate(services.sensitive_places.get(who, agency_id))


@router.put("/sensitive-places", responses=fails(403, 422))
def put_installation_places(
    services: ServicesDep, who: PlacesWatch, body: dict[str, Any] = COLLECTION
) -> InstallationPlacesPublic:
    """Replace the installation-wide sensitive places (the watch center's); matched like an agency's."""
    return InstallationPlacesPublic.model_validate(services.sensitive_places.put_installation(who, body))


@router.get("/sensitive-places", responses=fails(403))
def get_installation_places(services: ServicesDep, who: PlacesWatch) -> PlaceCollectionPublic:
    """Return the installation-wide sensitive places as loaded."""
    return PlaceCollectionPublic.model_validate(services.sensitive_places.get_installation(who))
